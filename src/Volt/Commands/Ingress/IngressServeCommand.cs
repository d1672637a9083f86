using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Ingress;
using Volt.Ingress.Acme;
using Volt.Ingress.Proxy;

namespace Volt.Commands.Ingress;

internal sealed class IngressServeCommand : VoltCommand, IServerCommand
{
    private static readonly Option<int?> HttpPort = new Option<int?>("--http-port") { Description = "HTTP port (default: config ingress.http_port, 80)" }.AcceptPort();
    private static readonly Option<int?> HttpsPort = new Option<int?>("--https-port") { Description = "HTTPS port (default: config ingress.https_port, 443)" }.AcceptPort();
    private static readonly Option<string?> Listen = new("--listen") { Description = "IP address to bind (default: config ingress.listen, 0.0.0.0)", HelpName = "ADDR" };
    private static readonly Option<string?> AcmeDirectory = new("--acme-directory") { Description = "ACME directory URL, or letsencrypt / letsencrypt-staging (config ingress.acme.directory)", HelpName = "URL" };
    private static readonly Option<string?> AcmeEmail = new("--acme-email") { Description = "Contact for the ACME account (config ingress.acme.email)", HelpName = "EMAIL" };
    private static readonly Option<string?> AcmeCaBundle = new Option<string?>("--acme-ca-bundle") { Description = "PEM roots to trust for the ACME server's HTTPS, e.g. pebble's (config ingress.acme.ca_bundle)", HelpName = "PEM" }.AcceptPath();
    private static readonly Option<string> AccessLog = new Option<string>("--access-log") { Description = "Where the JSON access lines go: - (stdout), off, or a file (appended)", DefaultValueFactory = _ => "-", HelpName = "FILE" }.AcceptPath();

    public IngressServeCommand() : base("serve", "Run the proxy in the foreground on the HTTP and HTTPS ports (SIGHUP or 'volt ingress reload' reloads; Ctrl+C or SIGTERM stops, draining requests)")
    {
        Add(HttpPort); Add(HttpsPort); Add(Listen); Add(AcmeDirectory); Add(AcmeEmail); Add(AcmeCaBundle); Add(AccessLog);
        Examples =
        [
            "volt ingress serve",
            "volt ingress serve --http-port 8080 --https-port 8443 --listen 127.0.0.1",
            "volt ingress serve --acme-directory letsencrypt-staging --acme-email ops@example.com",
            "volt ingress serve --acme-directory https://127.0.0.1:14000/dir --acme-ca-bundle /tmp/pebble.minica.pem",
            "volt ingress serve --access-log /var/log/volt/ingress-access.log",
        ];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var cfg = ctx.Config.Section<IngressConfig>();
        var listenText = parse.GetValue(Listen) ?? cfg.Listen;
        if (!IPAddress.TryParse(listenText, out var listen)) throw VoltException.Usage($"invalid --listen \"{listenText}\": expected an IP address");
        using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            o.UseUtcTimestamp = true;
        }));
        var accessPath = parse.GetValue(AccessLog)!;
        Stream? access = accessPath switch
        {
            "off" => null,
            "-" => Console.OpenStandardOutput(),
            _ => new FileStream(accessPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete),
        };
        var directoryText = parse.GetValue(AcmeDirectory) ?? cfg.AcmeDirectory;
        var directory = AcmeSettings.ResolveDirectory(directoryText)
            ?? throw VoltException.Usage($"invalid --acme-directory \"{directoryText}\": expected an https:// URL, letsencrypt or letsencrypt-staging");
        var caBundle = parse.GetValue(AcmeCaBundle) ?? cfg.AcmeCaBundle;
        if (caBundle is not null && !File.Exists(caBundle)) throw VoltException.NotFound($"--acme-ca-bundle {caBundle}: no such file");
        var acme = new AcmeSettings
        {
            Directory = directory,
            Email = parse.GetValue(AcmeEmail) ?? cfg.AcmeEmail,
            CaBundle = caBundle,
        };
        await using var server = await IngressServer.StartAsync(new IngressOptions
        {
            Store = ctx.Engines.IngressRoutes, Resolver = ctx.Engines.IngressBackends, AttachmentsDir = ctx.Engines.IngressAttachmentsDir,
            Listen = listen, HttpPort = parse.GetValue(HttpPort) ?? cfg.HttpPort, HttpsPort = parse.GetValue(HttpsPort) ?? cfg.HttpsPort,
            Time = ctx.Time, Logging = logging, AccessLog = access, StateFile = ctx.Engines.IngressServerStateFile,
            Health = new HealthSettings { Interval = cfg.HealthInterval, Threshold = cfg.HealthThreshold }, Acme = acme,
        }, ct).ConfigureAwait(false);
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; _ = Task.Run(() => server.Reload("SIGHUP")); });
        try { await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        await server.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        if (access is FileStream f) await f.DisposeAsync().ConfigureAwait(false);
        return 0;
    }
}

internal sealed class IngressInstallServiceCommand : VoltCommand
{
    public const string Unit = "volt-ingress";
    private static readonly Option<int> HttpPort = new Option<int>("--http-port") { Description = "HTTP port of the installed proxy", DefaultValueFactory = _ => 80 }.AcceptPort();
    private static readonly Option<int> HttpsPort = new Option<int>("--https-port") { Description = "HTTPS port of the installed proxy", DefaultValueFactory = _ => 443 }.AcceptPort();
    private static readonly Option<string> Listen = new("--listen") { Description = "IP address the installed proxy binds", DefaultValueFactory = _ => "0.0.0.0", HelpName = "ADDR" };

    public IngressInstallServiceCommand() : base("install-service", "Write the volt-ingress.service unit: systemd runs it where it is PID 1, voltd elsewhere (volt service start volt-ingress)")
    {
        Add(HttpPort); Add(HttpsPort); Add(Listen);
        Examples =
        [
            "sudo volt ingress install-service && volt service start volt-ingress",
            "sudo volt ingress install-service --http-port 8080 --https-port 8443 --listen 127.0.0.1",
            "volt service edit volt-ingress   # add --acme-email, change ports",
        ];
    }

    public override string AuditAction => "ingress.install-service";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var listen = parse.GetValue(Listen)!;
        if (!IPAddress.TryParse(listen, out _)) throw VoltException.Usage($"invalid --listen \"{listen}\": expected an IP address");
        var text = Workloads.Services.VoltUnits.Server(Unit, "Volt ingress proxy (HTTP/HTTPS routes to workloads)",
            [Service.VoltServiceInstaller.Executable, "ingress", "serve", "--http-port", parse.GetValue(HttpPort).ToString(CultureInfo.InvariantCulture),
             "--https-port", parse.GetValue(HttpsPort).ToString(CultureInfo.InvariantCulture), "--listen", listen],
            ctx.Paths.IsRelocated ? ctx.Paths.Root : null);
        return Service.VoltServiceInstaller.InstallAsync(ctx, Unit, text, ct);
    }
}
