using System.CommandLine;
using Volt.Cli;

namespace Volt.Commands.Vm;

internal sealed class VmStartCommand : VoltCommand
{
    public VmStartCommand() : base("start", "Start VMs (running once QMP answers; a QEMU that exits first: failed, with its last line)")
    {
        Add(VmCommands.Names);
        Examples = ["volt vm start web", "volt vm start web db"];
    }

    public override string AuditAction => "vm.start";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct) =>
        VmCommands.ForEachAsync(ctx, parse, (c, n) => c.StartWorkloadAsync("vm", n, ct), ct);
}

internal sealed class VmStopCommand : VoltCommand
{
    private static readonly Option<double?> Time = new("--time", "-t") { Description = "Seconds to wait for the guest to power off (ACPI) before QMP quit (default 30)" };

    public VmStopCommand() : base("stop", "Stop VMs gracefully: ACPI powerdown, then QMP quit after the timeout, then SIGKILL")
    {
        Add(VmCommands.Names); Add(Time);
        Examples = ["volt vm stop web", "volt vm stop web --time 5"];
    }

    public override string AuditAction => "vm.stop";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var t = parse.GetValue(Time);
        if (t is < 0) throw Core.Errors.VoltException.Usage("--time must be 0 or more");
        return VmCommands.ForEachAsync(ctx, parse, (c, n) => c.StopWorkloadAsync("vm", n, TimeSpan.FromSeconds(t ?? 30), ct), ct);
    }
}

internal sealed class VmRestartCommand : VoltCommand
{
    public VmRestartCommand() : base("restart", "Stop (if running) and start VMs")
    {
        Add(VmCommands.Names);
        Examples = ["volt vm restart web"];
    }

    public override string AuditAction => "vm.restart";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct) =>
        VmCommands.ForEachAsync(ctx, parse, (c, n) => c.RestartWorkloadAsync("vm", n, TimeSpan.FromSeconds(30), ct), ct);
}

internal sealed class VmDeleteCommand : VoltCommand
{
    private static readonly Option<bool> Force = new("--force", "-f") { Description = "Stop a running VM first" };

    public VmDeleteCommand() : base("delete", "Delete VMs: disk overlay, snapshots, seed, records, unit and logs (the image's shared base stays)")
    {
        Aliases.Add("rm");
        Add(VmCommands.Names); Add(Force);
        Examples = ["volt vm delete web", "volt vm delete -f web"];
    }

    public override string AuditAction => "vm.delete";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var names = parse.GetValue(VmCommands.Names)!.Select(n => VmCommands.Existing(ctx, n)).ToList();
        foreach (var n in names)
        {
            var active = ctx.Engines.VmDriver.Info(n).Status is Workloads.Model.WorkloadStatus.Running or Workloads.Model.WorkloadStatus.Starting or Workloads.Model.WorkloadStatus.Restarting;
            if (active && !parse.GetValue(Force)) throw Core.Errors.VoltException.Conflict($"VM \"{n}\" is running: stop it first (or --force)");
            if (active)
            {
                using var client = await ctx.Engines.VmDaemonAsync(ct).ConfigureAwait(false);
                await client.StopWorkloadAsync("vm", n, TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
            }
            ctx.AuditResource = n;
            ctx.Engines.Vms.Delete(n);
            ctx.AuditActed.Add(n);
            ctx.Out.Line(n);
        }
        return 0;
    }
}
