using System.CommandLine;
using Volt.Cli;
using Volt.Commands.Views;
using Volt.Workloads.Logs;
using Volt.Workloads.Model;
using Volt.Workloads.Supervision;

namespace Volt.Commands.Service;

internal sealed class ServiceListCommand : VoltCommand
{
    public ServiceListCommand() : base("list", "List services, Volt's own units (volt, volt-gitops, volt-registry) among them (reads state files; voltd may be down)")
    {
        Aliases.Add("ls");
        Examples = ["volt service list", "volt service ls -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var store = ctx.Engines.ServiceStore;
        var now = ctx.Time.GetUtcNow();
        ctx.Out.List([.. ctx.Engines.ServiceDriver.List().Select(w => ServiceViews.Row(w, store, now))], ServiceViews.ListColumns);
        return Task.FromResult(0);
    }
}

internal sealed class ServiceStatusCommand : VoltCommand
{
    public ServiceStatusCommand() : base("status", "Show a service's status: pid, times, exit code, restart back-off, limits, unit and log")
    {
        Add(ServiceCommands.Name);
        Examples = ["volt service status web", "volt service status web -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = ServiceCommands.Existing(ctx, parse);
        ctx.Out.Object(ServiceViews.Status(ctx.Engines.ServiceDriver.Info(name), ctx.Engines.ServiceStore, ctx.Time.GetUtcNow()));
        return Task.FromResult(0);
    }
}

internal sealed class ServiceLogsCommand : VoltCommand
{
    public ServiceLogsCommand() : base("logs", "Print a service's output (voltd: /var/log/volt/workloads/services/NAME.log; systemd: the journal)")
    {
        Add(ServiceCommands.Name);
        Add(LogsCommand.Follow); Add(LogsCommand.Tail); Add(LogsCommand.Since); Add(LogsCommand.Until); Add(LogsCommand.Timestamps);
        Examples = ["volt service logs web", "volt service logs -f --tail 20 web", "volt service logs --since 10m --timestamps web"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = ServiceCommands.Existing(ctx, parse);
        return ReadAsync(ctx, name, LogsCommand.Query(ctx, parse), ct);
    }

    /// <summary>Also <c>volt logs NAME</c> for a service.</summary>
    internal static Task<int> ReadAsync(VoltContext ctx, string name, LogQuery q, CancellationToken ct)
    {
        var driver = ctx.Engines.ServiceDriver;
        bool Running()
        {
            try { return driver.Find(name)?.Status.IsActive() == true; }
            catch (Exception e) when (e is Core.Errors.VoltException or IOException) { return false; }
        }
        if (ctx.Engines.ServiceStore.State(name).Supervisor == "systemd" && ctx.Engines.SystemdSupervises)
            return LogsCommand.JournalAsync(ctx, Workloads.Services.ServiceName.UnitName(name), q, Running, ct);
        return LogsCommand.FileAsync(ctx, ctx.Engines.ServiceStore.LogFile(name), q, Running, ct);
    }
}
