using System.CommandLine;
using Microsoft.Extensions.Logging;
using Volt.Cli;
using Volt.Daemon;

namespace Volt.Commands.Views;

internal sealed class DaemonCommand : VoltCommand, IServerCommand
{
    private static readonly Option<string?> Socket = new Option<string?>("--socket") { Description = "Unix socket (default: $VOLT_HOST, else /var/run/volt/volt.sock)", HelpName = "PATH" }.AcceptSocketPath();

    public DaemonCommand() : base("daemon", "Run voltd in the foreground: supervises containers where systemd is not PID 1")
    {
        Add(Socket);
        Subcommands.Add(new DaemonInstallServiceCommand());
        Examples = ["volt daemon", "sudo volt daemon install-service   # volt.service + volt.socket (socket activation under systemd)", "VOLT_ROOT=/tmp/v volt daemon --socket /tmp/v/volt.sock", "kill -HUP $(cat /var/run/volt/volt.pid)   # reload config"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            o.UseUtcTimestamp = true;
        }));
        // The same composition root as every CLI command, logging to voltd's console.
        var options = ctx.Engines.WithLogging(logging).Daemon(parse.GetValue(Socket));
        await VoltDaemon.RunAsync(options, ct).ConfigureAwait(false);
        return 0;
    }
}
