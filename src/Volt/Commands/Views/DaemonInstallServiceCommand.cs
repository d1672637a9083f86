using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Workloads.Services;

namespace Volt.Commands.Views;

/// <summary>
/// <c>volt daemon install-service</c>: writes voltd's <c>volt.service</c> + <c>volt.socket</c> into the units directory
/// (as <c>volt gitops install-service</c> writes its unit). Where systemd is PID 1 they are linked and systemd holds the
/// socket, starting voltd on the first connection (socket activation); elsewhere the CLI keeps starting voltd on demand.
/// </summary>
internal sealed class DaemonInstallServiceCommand : VoltCommand
{
    private static readonly Option<string?> Socket = new Option<string?>("--socket") { Description = "The API socket volt.socket listens on (default: $VOLT_HOST, else /var/run/volt/volt.sock)", HelpName = "PATH" }.AcceptSocketPath();

    public DaemonInstallServiceCommand() : base("install-service", "Write volt.service + volt.socket: systemd socket-activates voltd where it is PID 1")
    {
        Add(Socket);
        Examples =
        [
            "sudo volt daemon install-service && sudo systemctl enable --now volt.socket",
            "systemd-socket-activate -l /var/run/volt/volt.sock volt daemon   # the same hand-over, by hand",
        ];
    }

    public override string AuditAction => "daemon.install-service";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var socketPath = Path.GetFullPath(parse.GetValue(Socket) ?? ctx.Engines.DaemonSocket);
        var root = ctx.Paths.IsRelocated ? ctx.Paths.Root : null;
        var service = ctx.Engines.ServiceStore.UnitFile(VoltUnits.Daemon);
        var socket = Path.Combine(ctx.Paths.Units, VoltUnits.Daemon + ".socket");
        ctx.AuditResource = service;
        try
        {
            ctx.Engines.Services.Install(VoltUnits.Daemon, VoltUnits.DaemonService(Service.VoltServiceInstaller.Executable, root));
            AtomicFile.WriteAllText(socket, VoltUnits.DaemonSocket(socketPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw VoltException.From($"Failed writing {socket}", e); }
        ctx.Out.Line($"Wrote {service}");
        ctx.Out.Line($"Wrote {socket}");
        var systemd = Service.VoltServiceInstaller.SystemdRuns(ctx);
        if (systemd)
        {
            if (!ctx.Paths.IsRelocated)
            {
                foreach (var unit in new[] { socket, service })
                {
                    var link = await ctx.Processes.RunAsync("systemctl", ["link", unit], ct: ct).ConfigureAwait(false);
                    if (!link.Success) throw new VoltException(ExitCode.Daemon, $"Failed running systemctl link {unit}: {link.StdErr.Trim()}");
                }
                await ctx.Processes.RunAsync("systemctl", ["daemon-reload"], ct: ct).ConfigureAwait(false);
            }
            ctx.Out.Line("Enable it with: systemctl enable --now volt.socket (systemd starts voltd on the first request)");
        }
        else
        {
            ctx.Out.Line("This host does not run systemd: the CLI starts voltd on demand (the units are for systemd hosts;");
            ctx.Out.Line($"systemd-socket-activate -l {socketPath} volt daemon hands voltd the socket the same way)");
        }
        if (ctx.Out.Format != Rendering.OutputFormat.Table)
            ctx.Out.Data(new JsonObject { ["service"] = service, ["socket"] = socket, ["listen"] = socketPath, ["systemd"] = systemd });
        return 0;
    }
}
