using System.CommandLine;
using System.Globalization;
using Volt.Cli;
using Volt.Workloads.Services;

namespace Volt.Commands.Registry;

internal sealed class RegistryInstallServiceCommand : VoltCommand
{
    private static readonly Option<int> Port = new Option<int>("--port", "-p") { Description = "TCP port of the installed registry (1-65535)", DefaultValueFactory = _ => 5000 }.AcceptPort();
    private static readonly Option<string> Listen = new("--listen") { Description = "IP address the installed registry binds", DefaultValueFactory = _ => "127.0.0.1", HelpName = "ADDR" };

    public RegistryInstallServiceCommand() : base("install-service", "Write the volt-registry.service unit: systemd runs it where it is PID 1, voltd elsewhere (volt service start volt-registry)")
    {
        Add(Port); Add(Listen);
        Examples =
        [
            "sudo volt registry install-service && volt service start volt-registry",
            "sudo volt registry install-service --port 5001 --listen 0.0.0.0",
            "volt service edit volt-registry   # change the port later",
        ];
    }

    public override string AuditAction => "registry.install-service";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var listen = parse.GetValue(Listen)!;
        if (!System.Net.IPAddress.TryParse(listen, out _)) throw Core.Errors.VoltException.Usage($"invalid --listen \"{listen}\": expected an IP address");
        var text = VoltUnits.Server(VoltUnits.Registry, "Volt OCI registry on Stellarium",
            [Service.VoltServiceInstaller.Executable, "registry", "serve", "--port", parse.GetValue(Port).ToString(CultureInfo.InvariantCulture), "--listen", listen],
            ctx.Paths.IsRelocated ? ctx.Paths.Root : null);
        return Service.VoltServiceInstaller.InstallAsync(ctx, VoltUnits.Registry, text, ct);
    }
}
