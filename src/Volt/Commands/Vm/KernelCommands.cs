using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Rendering;
using Volt.Vms.Kernels;

namespace Volt.Commands.Vm;

internal static class KernelCommands
{
    public static Command Group() => new GroupCommand("kernel", "Kernel profiles for VMs: a kernel, Volt's initramfs, a command line and machine defaults (/var/lib/volt/kernels/PROFILE)",
        new KernelListCommand(), new KernelAddCommand(), new KernelRmCommand(), new KernelInspectCommand())
    {
        Examples = ["volt kernel add server", "volt kernel add minimal", "volt kernel add mine --kernel-file ./bzImage", "volt kernel list", "volt kernel inspect server -o json"],
    };

    public static readonly Argument<string> Profile = new("PROFILE") { Description = "Profile name (server, desktop, rt, minimal, dev, or your own)" };

    public static JsonObject Row(KernelProfile p, KernelStore store) => new()
    {
        ["name"] = p.Name,
        ["version"] = p.Version,
        ["kernel"] = store.KernelPath(p),
        ["initramfs"] = store.InitramfsPath(p),
        ["pvh"] = p.Pvh,
        ["cmdline"] = p.Cmdline,
        ["machine"] = p.Machine,
        ["devices"] = new JsonArray([.. p.Devices.Select(d => (JsonNode)d)]),
        ["modules"] = new JsonArray([.. p.Modules.Select(d => (JsonNode)d)]),
        ["source"] = p.Source,
        ["init"] = p.UserInitramfs ? "user initramfs" : InitramfsRefresher.IsStale(p) ? "from an older Volt: rebuilt at the next vm start" : "current",
        ["added_at"] = p.AddedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
    };

    public static readonly Column[] Columns =
    [
        new("PROFILE", "name"), new("VERSION", "version"), new("PVH", "pvh", n => n?.GetValue<bool>() == true ? "yes" : "no"),
        new("MACHINE", "machine"), new("SOURCE", "source"),
    ];
}

internal sealed class KernelListCommand : VoltCommand
{
    public KernelListCommand() : base("list", "List installed kernel profiles")
    {
        Aliases.Add("ls");
        Examples = ["volt kernel list", "volt kernel list -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var store = ctx.Engines.KernelStore;
        ctx.Out.List([.. store.List().Select(p => KernelCommands.Row(p, store))], KernelCommands.Columns);
        return Task.FromResult(0);
    }
}

internal sealed class KernelAddCommand : VoltCommand
{
    private static readonly Option<string?> KernelFile = new Option<string?>("--kernel-file") { Description = "Use this kernel (bzImage or vmlinux) instead of a Debian package", HelpName = "FILE" }.AcceptPath();
    private static readonly Option<string?> Initramfs = new Option<string?>("--initramfs") { Description = "Use this initramfs instead of building Volt's", HelpName = "FILE" }.AcceptPath();
    private static readonly Option<string?> Modules = new Option<string?>("--modules") { Description = "Directory of the kernel's modules (lib/modules/VERSION) for Volt's initramfs", HelpName = "DIR" }.AcceptPath();
    private static readonly Option<string?> Package = new("--package") { Description = "Debian kernel package instead of the profile's (linux-image-…)", HelpName = "PKG" };
    private static readonly Option<string?> Cmdline = new("--cmdline") { Description = "Kernel command line instead of the profile's", HelpName = "TEXT" };
    private static readonly Option<bool> Force = new("--force") { Description = "Replace an installed profile" };

    public KernelAddCommand() : base("add", "Install a kernel profile: fetch the Debian kernel (apt-get download + dpkg-deb -x) or take a file, extract the PVH vmlinux, build the initramfs")
    {
        Add(KernelCommands.Profile); Add(KernelFile); Add(Initramfs); Add(Modules); Add(Package); Add(Cmdline); Add(Force);
        Examples =
        [
            "volt kernel add server              # linux-image-amd64",
            "volt kernel add minimal             # linux-image-cloud-amd64",
            "volt kernel add rt                  # linux-image-rt-amd64",
            "volt kernel add mine --kernel-file /boot/vmlinuz-6.1.0-26-amd64 --modules /lib/modules/6.1.0-26-amd64",
        ];
    }

    public override string AuditAction => "kernel.add";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(KernelCommands.Profile)!;
        ctx.AuditResource = name;
        var progress = ctx.ShowProgress ? new Progress<string>(m => ctx.Console.Error.WriteLine(m)) : null;
        var p = await ctx.Engines.Kernels.AddAsync(new KernelAddRequest(name, parse.GetValue(KernelFile), parse.GetValue(Initramfs),
            parse.GetValue(Modules), parse.GetValue(Package), parse.GetValue(Cmdline), parse.GetValue(Force)), progress, ct).ConfigureAwait(false);
        ctx.Out.Object(KernelCommands.Row(p, ctx.Engines.KernelStore));
        return 0;
    }
}

internal sealed class KernelRmCommand : VoltCommand
{
    public KernelRmCommand() : base("rm", "Remove a kernel profile (VMs using it cannot start until it is added again)")
    {
        Aliases.Add("remove");
        Add(KernelCommands.Profile);
        Examples = ["volt kernel rm dev"];
    }

    public override string AuditAction => "kernel.rm";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(KernelCommands.Profile)!;
        ctx.AuditResource = name;
        var users = ctx.Engines.VmStore.Names().Where(n => ctx.Engines.VmStore.Config(n).Kernel == name).ToList();
        if (users.Count > 0) throw Core.Errors.VoltException.Conflict($"kernel profile \"{name}\" is used by VM(s) {string.Join(", ", users)}");
        ctx.Engines.KernelStore.Remove(name);
        ctx.Out.Line(name);
        return Task.FromResult(0);
    }
}

internal sealed class KernelInspectCommand : VoltCommand
{
    public KernelInspectCommand() : base("inspect", "Show a kernel profile: files, version, PVH, command line, machine defaults, modules")
    {
        Add(KernelCommands.Profile);
        Examples = ["volt kernel inspect server", "volt kernel inspect minimal -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var store = ctx.Engines.KernelStore;
        ctx.Out.Object(KernelCommands.Row(store.Get(parse.GetValue(KernelCommands.Profile)!), store));
        return Task.FromResult(0);
    }
}
