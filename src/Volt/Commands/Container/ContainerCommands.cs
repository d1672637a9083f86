using System.CommandLine;
using Volt.Cli;
using Volt.Core.Processes;
using Volt.Commands.Image;
using Volt.Commands.Net;
using Volt.Daemon;
using Volt.Workloads.Containers;
using Volt.Workloads.Rootfs;
using Volt.Workloads.Runtime;
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

    /// <summary>The engines for this invocation: detected cgroups, the image store or a directory as rootfs.</summary>
    public static ContainerHost ContainerHost(this VoltContext ctx) =>
        Workloads.Runtime.ContainerHost.Default(ctx.Paths, ctx.Rootfs(), new NetworkAttacher(ctx.Networks));

    public static ContainerEngine Containers(this VoltContext ctx) => new(ctx.ContainerHost());

    public static IRootfsProvider Rootfs(this VoltContext ctx) =>
        new ImageRootfsProvider(ctx.Paths, ctx.Images, new DirectoryRootfsProvider(new ProcessRunner()));

    /// <summary>
    /// voltd when it is the configured supervisor and already listening (connected: the first request reuses the
    /// connection); null otherwise. Nothing is started.
    /// </summary>
    public static async Task<DaemonClient?> ListeningVoltdAsync(this VoltContext ctx, CancellationToken ct)
    {
        if (SupervisorChoice.Resolve(ctx.Config.Supervisor) == "systemd") return null;
        var client = new DaemonClient(DaemonOptions.Socket(ctx.Paths, ctx.Env["VOLT_HOST"]));
        if (await client.IsListeningAsync(ct).ConfigureAwait(false)) return client;
        client.Dispose();
        return null;
    }

    /// <summary>The supervisor config selects; voltd is started on demand.</summary>
    public static async Task<ISupervisor> SupervisorAsync(this VoltContext ctx, CancellationToken ct)
    {
        if (SupervisorChoice.Resolve(ctx.Config.Supervisor) == "systemd")
            return new SystemdSupervisor(new ContainerStore(ctx.Paths), ctx.Processes, ctx.Time);
        var socket = DaemonOptions.Socket(ctx.Paths, ctx.Env["VOLT_HOST"]);
        return await DaemonLauncher.ConnectAsync(ctx.Paths, socket, ctx.Env["VOLT_CONFIG"], ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks every named container exists (exit 3 before anything changes), then applies
    /// <paramref name="action"/> to each through the supervisor, printing each name as it is done.
    /// </summary>
    public static async Task<int> ForEachAsync(VoltContext ctx, ParseResult parse, Func<ISupervisor, string, Task> action, CancellationToken ct)
    {
        var names = parse.GetValue(Names)!;
        var engine = ctx.Containers();
        foreach (var n in names) engine.Records.EnsureExists(n);
        var supervisor = await ctx.SupervisorAsync(ct).ConfigureAwait(false);
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
