using System.CommandLine;
using Volt.Cli;

namespace Volt.Commands.Container;

internal sealed class ContainerStartCommand : VoltCommand
{
    public ContainerStartCommand() : base("start", "Start stopped containers (through voltd or systemd)")
    {
        Add(ContainerCommands.Names);
        Examples = ["volt container start web", "volt container start web db"];
    }

    public override string AuditAction => "container.start";

    /// <summary>voltd (or systemd) starts and stops it: group volt members may (docs/security.md).</summary>
    public override bool ThroughVoltd => true;

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        return await ContainerCommands.ForEachAsync(ctx, parse, async (supervisor, n) =>
        {
            await supervisor.StartAsync(n, ct).ConfigureAwait(false);
            // voltd's audit line carries the summary itself; another supervisor's start gets it here from the report.
            if (supervisor is not Daemon.DaemonClient && Volt.Sandbox.SandboxHelper.ReadReport(ctx.Engines.Containers.Records.Dir(n)) is { } r)
                ctx.AuditDetail[n] = r.Summary();
        }, ct).ConfigureAwait(false);
    }
}

internal sealed class ContainerStopCommand : VoltCommand
{
    internal static readonly Option<double> Time = new Option<double>("--time", "-t") { Description = "Seconds to wait after SIGTERM before SIGKILL", DefaultValueFactory = _ => 10 }.AcceptSeconds(0);

    public ContainerStopCommand() : base("stop", "Stop containers: SIGTERM, then SIGKILL after --time seconds")
    {
        Add(ContainerCommands.Names);
        Add(Time);
        Examples = ["volt container stop web", "volt container stop web --time 2"];
    }

    public override string AuditAction => "container.stop";

    /// <summary>voltd (or systemd) starts and stops it: group volt members may (docs/security.md).</summary>
    public override bool ThroughVoltd => true;

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(parse.GetValue(Time));
        return await ContainerCommands.ForEachAsync(ctx, parse, (supervisor, n) => supervisor.StopAsync(n, timeout, ct), ct).ConfigureAwait(false);
    }
}

internal sealed class ContainerRestartCommand : VoltCommand
{
    public ContainerRestartCommand() : base("restart", "Stop (if running) and start containers")
    {
        Add(ContainerCommands.Names);
        Add(ContainerStopCommand.Time);
        Examples = ["volt container restart web"];
    }

    public override string AuditAction => "container.restart";

    /// <summary>voltd (or systemd) starts and stops it: group volt members may (docs/security.md).</summary>
    public override bool ThroughVoltd => true;

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(parse.GetValue(ContainerStopCommand.Time));
        return await ContainerCommands.ForEachAsync(ctx, parse, async (supervisor, n) =>
        {
            await supervisor.StopAsync(n, timeout, ct).ConfigureAwait(false);
            await supervisor.StartAsync(n, ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
    }
}

internal sealed class ContainerDeleteCommand : VoltCommand
{
    private static readonly Option<bool> Force = new("--force", "-f") { Description = "Stop a running container first" };

    public ContainerDeleteCommand() : base("delete", "Delete containers and everything they own (rootfs, unit, cgroup, network, logs)")
    {
        Aliases.Add("rm");
        Add(ContainerCommands.Names);
        Add(Force);
        Examples = ["volt container delete web", "volt container rm -f web db"];
    }

    public override string AuditAction => "container.delete";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var engine = ctx.Engines.Containers;
        foreach (var n in parse.GetValue(ContainerCommands.Names)!)
        {
            ctx.AuditResource = n;
            Workloads.Containers.ContainerName.Validate(n);
            if (!engine.Records.Exists(n))
            {
                // No record (a killed create): -f still removes what it left (cgroups, ctr:NAME rules, unit, log).
                if (!parse.GetValue(Force) || (await engine.CollectOrphansAsync(n, ct).ConfigureAwait(false)).Count == 0)
                    engine.Records.EnsureExists(n);
            }
            else
            {
                if (parse.GetValue(Force) && engine.View(n).Status is Workloads.Containers.ContainerStatus.Running or Workloads.Containers.ContainerStatus.Restarting)
                    await (await ctx.Engines.SupervisorAsync(ct).ConfigureAwait(false)).StopAsync(n, TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
                await engine.DeleteAsync(n, ct).ConfigureAwait(false);
            }
            ctx.AuditActed.Add(n);
            ctx.Out.Line(n);
        }
        return 0;
    }
}
