using System.CommandLine;
using Volt.Cli;
using Volt.Vms.Machines;

namespace Volt.Commands.Vm;

internal sealed class VmCreateCommand : VoltCommand
{
    private static readonly Option<string?> Image = new("--image") { Description = "Volt image whose tree becomes the root disk (ext4, no mounts; its base is shared)", HelpName = "IMAGE" };
    private static readonly Option<string?> Disk = new Option<string?>("--disk") { Description = "A qcow2/raw disk (checked with qemu-img check) the VM's overlay is backed by", HelpName = "FILE" }.AcceptPath();
    private static readonly Option<string?> Kernel = new("--kernel") { Description = "Kernel profile (default server with --image; none with --disk: the disk's boot loader)", HelpName = "PROFILE" };
    private static readonly Option<int> Cpu = new("--cpu") { Description = "vCPUs", DefaultValueFactory = _ => 1, HelpName = "N" };
    private static readonly Option<string> Memory = new("--memory", "-m") { Description = "Guest memory", DefaultValueFactory = _ => "512M", HelpName = "SIZE" };
    private static readonly Option<string?> DiskSize = new("--disk-size") { Description = "Virtual size of the VM's disk (at least the image's)", HelpName = "SIZE" };
    private static readonly Option<string?> Network = new("--network") { Description = "Volt network whose bridge the VM's TAP joins", HelpName = "NET" };
    private static readonly Option<string[]> Publish = new("--publish", "-p") { Description = "Publish a guest port (repeatable)", HelpName = "HOST:GUEST" };
    private static readonly Option<string?> CloudInit = new Option<string?>("--cloud-init") { Description = "cloud-init user-data (NoCloud seed: hostname, users, ssh keys, write_files, runcmd)", HelpName = "FILE" }.AcceptPath();
    private static readonly Option<string> Accel = new Option<string>("--accel") { Description = "Accelerator: auto = KVM when a probe boot proves it works, else TCG", DefaultValueFactory = _ => "auto", HelpName = "auto|kvm|tcg" }.AcceptOneOf("auto", "kvm", "tcg");
    private static readonly Option<string> Restart = new Option<string>("--restart") { Description = "Restart policy after QEMU exits", DefaultValueFactory = _ => "no", HelpName = "no|on-failure|always" }.AcceptOneOf("no", "on-failure", "always");
    private static readonly Option<string?> Cmdline = new("--cmdline") { Description = "Appended to the profile's kernel command line", HelpName = "TEXT" };
    private static readonly Option<bool> Hugepages = new("--hugepages") { Description = "Back guest memory with hugepages (/dev/hugepages; volt tune memory hugepages)" };
    private static readonly Option<bool> Now = new("--now") { Description = "Start it too" };

    public VmCreateCommand() : base("create", "Create a VM: disk overlay (image base or your disk), optional cloud-init seed, config.json")
    {
        Add(VmCommands.Name);
        Add(Image); Add(Disk); Add(Kernel); Add(Cpu); Add(Memory); Add(DiskSize); Add(Network); Add(Publish); Add(CloudInit); Add(Accel);
        Add(Restart); Add(Cmdline); Add(Hugepages); Add(Now);
        Examples =
        [
            "volt vm create web --image web:1 --cpu 2 --memory 1G --disk-size 10G --network volt0 --publish 8080:80",
            "volt vm create tiny --image busybox:1 --kernel minimal --memory 128M --accel tcg --now",
            "volt vm create deb --disk debian-12-genericcloud-amd64.qcow2 --cloud-init user-data.yaml",
        ];
    }

    public override string AuditAction => "vm.create";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = VmName.Validate(parse.GetValue(VmCommands.Name)!);
        ctx.AuditResource = name;
        var containers = new Workloads.Containers.ContainerStore(ctx.Paths);
        await ctx.Engines.Vms.CreateAsync(new VmCreateRequest
        {
            Name = name, Image = parse.GetValue(Image), Disk = parse.GetValue(Disk), Kernel = parse.GetValue(Kernel), Cpus = parse.GetValue(Cpu),
            Memory = parse.GetValue(Memory)!, DiskSize = parse.GetValue(DiskSize), Network = parse.GetValue(Network), Publish = parse.GetValue(Publish) ?? [],
            CloudInit = parse.GetValue(CloudInit), Accel = parse.GetValue(Accel)!, Restart = parse.GetValue(Restart)!, Cmdline = parse.GetValue(Cmdline),
            Hugepages = parse.GetValue(Hugepages),
        }, n => containers.Exists(n) || ctx.Engines.ServiceStore.Exists(n), ct).ConfigureAwait(false);
        if (parse.GetValue(Now))
        {
            using var client = await ctx.Engines.VmDaemonAsync(ct).ConfigureAwait(false);
            await client.StartWorkloadAsync("vm", name, ct).ConfigureAwait(false);
        }
        if (ctx.Out.Format == Rendering.OutputFormat.Table) ctx.Out.Line(name);
        else ctx.Out.Data(VmCommands.Inspect(ctx.Engines.VmDriver.Info(name), ctx.Engines.VmStore, ctx.Time.GetUtcNow()));
        return 0;
    }
}
