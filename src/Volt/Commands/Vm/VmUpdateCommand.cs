using System.CommandLine;
using Volt.Cli;
using Volt.Vms.Machines;

namespace Volt.Commands.Vm;

internal sealed class VmUpdateCommand : VoltCommand
{
    private static readonly Option<int?> Cpu = new("--cpu") { Description = "vCPUs: hotplugged into a running VM (up to the host's CPUs; the guest onlines them through the agent), else at the next start", HelpName = "N" };
    private static readonly Option<string?> Memory = new("--memory", "-m") { Description = "Guest memory: live through the balloon up to what it booted with, else at the next start", HelpName = "SIZE" };
    private static readonly Option<string?> Restart = new Option<string?>("--restart") { Description = "Restart policy", HelpName = "no|on-failure|always" }.AcceptOneOf("no", "on-failure", "always");
    private static readonly Option<string?> Accel = new Option<string?>("--accel") { Description = "Accelerator (at the next start)", HelpName = "auto|kvm|tcg" }.AcceptOneOf("auto", "kvm", "tcg");
    private static readonly Option<string?> Cmdline = new("--cmdline") { Description = "Replaces what is appended to the profile's kernel command line (\"\" clears it; at the next start)", HelpName = "TEXT" };

    public VmUpdateCommand() : base("update", "Change a VM's memory, vCPUs, restart policy, accelerator or command line (live where QEMU allows, else at its next start)")
    {
        Add(VmCommands.Name); Add(Cpu); Add(Memory); Add(Restart); Add(Accel); Add(Cmdline);
        Examples =
        [
            "volt vm update web --memory 768M     # running, booted with 1G: the balloon gives back 256M now",
            "volt vm update web --cpu 2           # running: a vCPU hotplugged now (QMP device_add), online in the guest",
            "volt vm update web --memory 2G       # more than it booted with: at the next start (volt vm restart web)",
            "volt vm update web --restart on-failure",
        ];
    }

    public override string AuditAction => "vm.update";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var n = VmCommands.Existing(ctx, parse.GetValue(VmCommands.Name)!);
        var running = ctx.Engines.VmDriver.Info(n).Status == Workloads.Model.WorkloadStatus.Running;
        var r = await new VmUpdater(ctx.Engines.VmStore).UpdateAsync(n, new VmUpdateRequest
        {
            Cpus = parse.GetValue(Cpu), Memory = parse.GetValue(Memory), Restart = parse.GetValue(Restart), Accel = parse.GetValue(Accel),
            Cmdline = parse.GetValue(Cmdline),
        }, running, ct).ConfigureAwait(false);
        ctx.AuditActed.Add(n);
        foreach (var note in r.Notes) ctx.Out.Line(note);
        return 0;
    }
}
