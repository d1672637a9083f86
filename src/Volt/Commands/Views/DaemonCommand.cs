using System.CommandLine;
using Microsoft.Extensions.Logging;
using Volt.Cli;
using Volt.Commands.Container;
using Volt.Daemon;

namespace Volt.Commands.Views;

internal sealed class DaemonCommand : VoltCommand
{
    private static readonly Option<string?> Socket = new Option<string?>("--socket") { Description = "Unix socket (default: $VOLT_HOST, else /var/run/volt/volt.sock)", HelpName = "PATH" }.AcceptSocketPath();

    public DaemonCommand() : base("daemon", "Run voltd in the foreground: supervises containers where systemd is not PID 1")
    {
        Add(Socket);
        Examples = ["volt daemon", "VOLT_ROOT=/tmp/v volt daemon --socket /tmp/v/volt.sock", "kill -HUP $(cat /var/run/volt/volt.pid)   # reload config"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            o.UseUtcTimestamp = true;
        }));
        var defaults = ctx.ContainerHost();
        var host = new Workloads.Runtime.ContainerHost
        {
            Paths = defaults.Paths, Cgroups = defaults.Cgroups, Rootfs = defaults.Rootfs, Network = defaults.Network, Logging = logging,
        };
        var options = new DaemonOptions
        {
            Host = host,
            SharedCgroups = true,
            SocketPath = parse.GetValue(Socket) ?? DaemonOptions.Socket(ctx.Paths, ctx.Env["VOLT_HOST"]),
            // Services: voltd runs NAME.service units itself (this host has no systemd as PID 1, or config says voltd).
            Workloads = [new ServiceWorkloadHandler(new Workloads.Services.ServiceRuntime(new Workloads.Services.ServiceStore(ctx.Paths),
                new Workloads.Services.ServiceLauncher(host.Cgroups, ctx.Time), ctx.Time, logging)),
                // Tasks: voltd's timer engine runs volt-task-NAME.timer + .service pairs (see docs/tasks.md).
                new TaskWorkloadHandler(new Workloads.Tasks.TaskStore(ctx.Paths), host.Cgroups, logging.CreateLogger("Volt.Tasks"))],
            Reload = () => Core.Config.ConfigLoader.Load(ctx.Env["VOLT_CONFIG"] ?? ctx.Paths.DefaultConfigFile, mustExist: false),
        };
        await VoltDaemon.RunAsync(options, ct).ConfigureAwait(false);
        return 0;
    }
}
