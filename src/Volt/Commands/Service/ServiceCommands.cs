using System.CommandLine;
using Volt.Cli;
using Volt.Daemon;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Model;
using Volt.Workloads.Services;
using Volt.Workloads.Supervision;

namespace Volt.Commands.Service;

internal static class ServiceCommands
{
    /// <param name="only">The subcommand a run names: built alone (see <see cref="GroupCommand"/>).</param>
    public static Command Group(string? only = null) => new GroupCommand("service", "Services: host processes run from NAME.service units (by systemd, or by voltd where systemd is not PID 1)", only,
        ("create", () => new ServiceCreateCommand()), ("list", () => new ServiceListCommand()), ("status", () => new ServiceStatusCommand()),
        ("start", () => new ServiceStartCommand()), ("stop", () => new ServiceStopCommand()), ("restart", () => new ServiceRestartCommand()),
        ("enable", () => new ServiceEnableCommand(true)), ("disable", () => new ServiceEnableCommand(false)), ("logs", () => new ServiceLogsCommand()),
        ("delete", () => new ServiceDeleteCommand()), ("edit", () => new ServiceEditCommand()))
    {
        Examples =
        [
            "volt service create web --memory 256M --restart on-failure --now -- python3 -m http.server 8080 --bind 127.0.0.1",
            "volt service list",
            "volt service status web",
            "volt service logs -f web",
            "volt service edit web",
            "volt service stop web && volt service delete web",
        ],
    };

    public static readonly Argument<string[]> Names = new("NAME") { Description = "Service name(s) (the unit is NAME.service)", Arity = ArgumentArity.OneOrMore };
    public static readonly Argument<string> Name = new("NAME") { Description = "Service name (the unit is NAME.service)" };

    /// <summary>Every name checked first (exit 2/3 before anything changes), then the action on each, each name printed when done.</summary>
    public static async Task<int> ForEachAsync(VoltContext ctx, ParseResult parse, Func<IWorkloadSupervisor, string, Task> action, CancellationToken ct)
    {
        var store = ctx.Engines.ServiceStore;
        var names = parse.GetValue(Names)!.Select(ServiceName.Normalize).ToList();
        foreach (var n in names) store.EnsureExists(n);
        var supervisor = await ctx.Engines.ServiceSupervisorAsync(ct, oneAtATime: true).ConfigureAwait(false);
        foreach (var n in names)
        {
            ctx.AuditResource = n;
            await action(supervisor, n).ConfigureAwait(false);
            ctx.AuditActed.Add(n);
            ctx.Out.Line(n);
        }
        return 0;
    }

    /// <summary>The name, normalised and checked to exist (exit 3).</summary>
    public static string Existing(VoltContext ctx, ParseResult parse)
    {
        var name = ServiceName.Normalize(parse.GetValue(Name)!);
        ctx.Engines.ServiceStore.EnsureExists(name);
        ctx.AuditResource = name;
        return name;
    }
}
