using System.CommandLine;
using System.Globalization;
using Volt.Cli;
using Volt.Workloads.Services;

namespace Volt.Commands.Dns;

internal sealed class DnsInstallServiceCommand : VoltCommand
{
    private static readonly Option<int?> Port = new("--port", "-p") { Description = "Port at each gateway the installed server listens on (default: dns.port, 53)" };
    private static readonly Option<string[]> Listen = new("--listen") { Description = "Fixed listen address(es) instead of every gateway (ADDR or ADDR:PORT)", HelpName = "ADDR" };
    private static readonly Option<string[]> Upstream = new("--upstream") { Description = "Upstream resolver(s) (default: dns.upstreams, else /etc/resolv.conf)", HelpName = "ADDR" };

    public DnsInstallServiceCommand() : base("install-service", "Write the volt-dns.service unit: systemd runs it where it is PID 1, voltd elsewhere (volt service start volt-dns)")
    {
        Add(Port); Add(Listen); Add(Upstream);
        Examples =
        [
            "sudo volt dns install-service && volt service start volt-dns",
            "sudo volt dns install-service --upstream 192.168.1.1",
            "volt service edit volt-dns   # change it later",
        ];
    }

    public override string AuditAction => "dns.install-service";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var argv = new List<string> { Service.VoltServiceInstaller.Executable, "dns", "serve" };
        if (parse.GetValue(Port) is { } p)
        {
            if (p is < 1 or > 65535) throw Core.Errors.VoltException.Usage($"invalid --port {p}: expected 1-65535");
            argv.AddRange(["--port", p.ToString(CultureInfo.InvariantCulture)]);
        }
        // Validated now, as serve would: the unit never holds what serve refuses.
        foreach (var l in parse.GetValue(Listen) ?? []) { Volt.Dns.Forwarding.Upstreams.Parse(l); argv.AddRange(["--listen", l]); }
        foreach (var u in parse.GetValue(Upstream) ?? []) { Volt.Dns.Forwarding.Upstreams.Parse(u); argv.AddRange(["--upstream", u]); }
        var text = VoltUnits.Server(DnsCommands.Unit, "Volt DNS: workload names on each network's gateway", argv, ctx.Paths.IsRelocated ? ctx.Paths.Root : null);
        return Service.VoltServiceInstaller.InstallAsync(ctx, DnsCommands.Unit, text, ct);
    }
}
