using System.CommandLine;
using Volt.Cli;
using Volt.Workloads.Supervision;

namespace Volt.Commands.Container;

internal static class ContainerCommands
{
    public static Command Group() => new GroupCommand("container", "Containers: systemd-nspawn machines with cgroup limits, by human name",
        new ContainerCreateCommand(), new ContainerStartCommand(), new ContainerStopCommand(), new ContainerRestartCommand(),
        new ContainerDeleteCommand(), new ContainerListCommand(), new ContainerInspectCommand(), new ContainerExecCommand(),
        new Views.LogsCommand(), new ContainerUpdateCommand(), ContainerHealthcheckCommands.Group(), new Prune.ContainerPruneCommand())
    {
        Examples =
        [
            "volt container create /srv/rootfs/busybox --name web --memory 256M --cpu 50 -- /bin/httpd -f -p 80",
            "volt container start web",
            "volt container exec web cat /etc/passwd",
            "volt container update web --memory 512M",
            "volt container healthcheck run web",
            "volt container stop web --time 5 && volt container delete web",
        ],
    };

    /// <summary>
    /// Checks every named container exists (exit 3 before anything changes), then applies
    /// <paramref name="action"/> to each through the supervisor, printing each name as it is done.
    /// </summary>
    public static async Task<int> ForEachAsync(VoltContext ctx, ParseResult parse, Func<ISupervisor, string, Task> action, CancellationToken ct)
    {
        var names = parse.GetValue(Names)!;
        var engine = ctx.Engines.Containers;
        foreach (var n in names) engine.Records.EnsureExists(n);
        var supervisor = await ctx.Engines.SupervisorAsync(ct).ConfigureAwait(false);
        foreach (var n in names)
        {
            ctx.AuditResource = n;
            await action(supervisor, n).ConfigureAwait(false);
            ctx.AuditActed.Add(n);
            ctx.Out.Line(n);
        }
        return 0;
    }

    public static readonly Argument<string[]> Names = new("NAME") { Description = "Container name(s)", Arity = ArgumentArity.OneOrMore };
    public static readonly Argument<string> Name = new("NAME") { Description = "Container name" };
}
