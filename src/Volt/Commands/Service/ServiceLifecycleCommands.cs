using System.CommandLine;
using Volt.Cli;
using Volt.Workloads.Model;

namespace Volt.Commands.Service;

internal sealed class ServiceStartCommand : VoltCommand
{
    public ServiceStartCommand() : base("start", "Start services (a running one: success, nothing changes)")
    {
        Add(ServiceCommands.Names);
        Examples = ["volt service start web", "volt service start volt-gitops"];
    }

    public override string AuditAction => "service.start";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct) =>
        ServiceCommands.ForEachAsync(ctx, parse, async (s, n) =>
        {
            await s.StartAsync(WorkloadKind.Service, n, ct).ConfigureAwait(false);
            // voltd's line carries the sandbox summary itself; a CLI line of its own only where voltd did not record the start (systemd).
            if (!Core.Audit.AuditHandOff.RecordedByDaemon && Volt.Sandbox.SandboxHelper.ReadReport(ctx.Engines.ServiceStore.Dir(n)) is { } r)
                ctx.AuditDetail[n] = r.Summary();
        }, ct);
}

internal sealed class ServiceStopCommand : VoltCommand
{
    private static readonly Option<double?> Time = new("--time", "-t") { Description = "Seconds to wait after SIGTERM before SIGKILL (default: the unit's TimeoutStopSec=)" };

    public ServiceStopCommand() : base("stop", "Stop services per their KillMode=: SIGTERM, then SIGKILL after the timeout")
    {
        Add(ServiceCommands.Names);
        Add(Time);
        Examples = ["volt service stop web", "volt service stop web --time 2"];
    }

    public override string AuditAction => "service.stop";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var t = parse.GetValue(Time);
        if (t is < 0) throw Core.Errors.VoltException.Usage("--time must be 0 or more");
        return ServiceCommands.ForEachAsync(ctx, parse, (s, n) => s.StopAsync(WorkloadKind.Service, n, t is { } x ? TimeSpan.FromSeconds(x) : null, ct), ct);
    }
}

internal sealed class ServiceRestartCommand : VoltCommand
{
    public ServiceRestartCommand() : base("restart", "Stop (if running) and start services, reading their units again")
    {
        Add(ServiceCommands.Names);
        Examples = ["volt service restart web"];
    }

    public override string AuditAction => "service.restart";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct) =>
        ServiceCommands.ForEachAsync(ctx, parse, (s, n) => s.RestartAsync(WorkloadKind.Service, n, ct), ct);
}

internal sealed class ServiceEnableCommand : VoltCommand
{
    private readonly bool _enable;

    public ServiceEnableCommand(bool enable) : base(enable ? "enable" : "disable",
        enable ? "Start services at boot (systemd: systemctl enable; voltd: when voltd starts)" : "Do not start services at boot")
    {
        _enable = enable;
        Add(ServiceCommands.Names);
        Examples = enable ? ["volt service enable web"] : ["volt service disable web"];
    }

    public override string AuditAction => _enable ? "service.enable" : "service.disable";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        // Enabling needs no running voltd (a marker it reads when it starts); under systemd it is systemctl.
        var systemd = ctx.Engines.SystemdSupervises;
        IWorkloadSupervisor? supervisor = systemd ? await ctx.Engines.ServiceSupervisorAsync(ct, oneAtATime: true).ConfigureAwait(false) : null;
        var store = ctx.Engines.ServiceStore;
        foreach (var n in parse.GetValue(ServiceCommands.Names)!.Select(Workloads.Services.ServiceName.Normalize).ToList())
        {
            store.EnsureExists(n);
            ctx.AuditResource = n;
            if (supervisor is not null) await supervisor.EnableAsync(WorkloadKind.Service, n, _enable, ct).ConfigureAwait(false);
            else store.SetEnabled(n, _enable);
            ctx.AuditActed.Add(n);
            ctx.Out.Line(n);
        }
        return 0;
    }
}

internal sealed class ServiceDeleteCommand : VoltCommand
{
    public ServiceDeleteCommand() : base("delete", "Stop services (if running) and delete their units, records and logs")
    {
        Aliases.Add("rm");
        Add(ServiceCommands.Names);
        Examples = ["volt service delete web", "volt service rm web worker"];
    }

    public override string AuditAction => "service.delete";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var engine = ctx.Engines.Services;
        var driver = ctx.Engines.ServiceDriver;
        var names = parse.GetValue(ServiceCommands.Names)!.Select(Workloads.Services.ServiceName.Normalize).ToList();
        foreach (var n in names) engine.Store.EnsureExists(n);
        IWorkloadSupervisor? supervisor = null;
        foreach (var n in names)
        {
            ctx.AuditResource = n;
            var active = driver.Info(n).Status.IsActive();
            var systemd = ctx.Engines.SystemdSupervises;
            if (active || systemd)
            {
                supervisor ??= await ctx.Engines.ServiceSupervisorAsync(ct, oneAtATime: true).ConfigureAwait(false);
                if (active) await supervisor.StopAsync(WorkloadKind.Service, n, null, ct).ConfigureAwait(false);
                if (systemd) await supervisor.EnableAsync(WorkloadKind.Service, n, false, ct).ConfigureAwait(false);
            }
            engine.Delete(n);
            if (supervisor is not null) await supervisor.ReloadAsync(ct).ConfigureAwait(false);
            ctx.AuditActed.Add(n);
            ctx.Out.Line(n);
        }
        return 0;
    }
}
