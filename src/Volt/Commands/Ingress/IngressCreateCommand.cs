using System.CommandLine;
using Volt.Cli;
using Volt.Core.Config;
using Volt.Core.Errors;
using Volt.Ingress.Routes;

namespace Volt.Commands.Ingress;

internal sealed class IngressCreateCommand : VoltCommand
{
    private static readonly Option<string> Hostname = new Option<string>("--hostname") { Description = "Exact hostname (app.example.com) or a one-label wildcard (*.example.com)", Required = true, HelpName = "HOST" }.Accept(h => RouteSyntax.Hostname(h));
    private static readonly Option<string?> PathPrefix = new Option<string?>("--path") { Description = "Path prefix (/api); without it the route takes the whole host", HelpName = "PREFIX" }.Accept(p => RouteSyntax.Path(p));
    private static readonly Option<string> Backend = new Option<string>("--backend") { Description = "host:port or workload:port, comma-separated for several (load-balanced)", Required = true, HelpName = "TARGET[,TARGET…]" }
        .Accept(b => { foreach (var t in b.Split(',')) RouteSyntax.Backend(t); });
    private static readonly Option<string?> Tls = new Option<string?>("--tls") { Description = "auto (ACME), manual (--cert/--key) or passthrough (TLS to the backend as is)", HelpName = "MODE" }.AcceptOneOf(TlsModes.Auto, TlsModes.Manual, TlsModes.Passthrough);
    private static readonly Option<string?> Cert = new Option<string?>("--cert") { Description = "PEM certificate (chain) for --tls manual", HelpName = "FILE" }.AcceptPath();
    private static readonly Option<string?> Key = new Option<string?>("--key") { Description = "PEM private key for --cert", HelpName = "FILE" }.AcceptPath();
    private static readonly Option<bool> StripPrefix = new("--strip-prefix") { Description = "Remove --path before forwarding (/api/users → /users)" };
    private static readonly Option<string?> Health = new Option<string?>("--health") { Description = "Active health check path (GET, 2xx healthy; config ingress.health.*)", HelpName = "PATH" }.Accept(p => RouteSyntax.Path(p, "--health"));
    private static readonly Option<bool> RedirectHttps = new("--redirect-https") { Description = "Answer plain HTTP with 308 to https://" };
    private static readonly Option<string?> Timeout = new Option<string?>("--timeout") { Description = "Longest wait for the backend's answer (default 100s)", HelpName = "DURATION" }.AcceptDuration();

    public IngressCreateCommand() : base("create", "Add a route: hostname (+ path prefix) → backends; a running proxy picks it up at once")
    {
        Add(IngressCommands.Name); Add(Hostname); Add(PathPrefix); Add(Backend); Add(Tls); Add(Cert); Add(Key); Add(StripPrefix); Add(Health); Add(RedirectHttps); Add(Timeout);
        Examples =
        [
            "volt ingress create --name web --hostname app.example.com --backend web:8080 --tls auto --redirect-https",
            "volt ingress create --name api --hostname api.example.com --path /v1 --backend api:3000 --strip-prefix --health /healthz",
            "volt ingress create --name shop --hostname '*.shop.example.com' --backend 10.0.0.5:80 --tls manual --cert /etc/ssl/shop.pem --key /etc/ssl/shop.key",
            "volt ingress create --name db --hostname db.example.com --backend db:5432 --tls passthrough",
        ];
    }

    public override string AuditAction => "ingress.create";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = RouteSyntax.Name(parse.GetValue(IngressCommands.Name)!);
        ctx.AuditResource = name;
        var cert = parse.GetValue(Cert);
        var key = parse.GetValue(Key);
        var tls = parse.GetValue(Tls) ?? (cert is not null || key is not null ? TlsModes.Manual : TlsModes.None);
        var timeout = parse.GetValue(Timeout);
        var r = new IngressRoute
        {
            Name = name, Hostname = RouteSyntax.Hostname(parse.GetValue(Hostname)!), Path = RouteSyntax.Path(parse.GetValue(PathPrefix)),
            Backends = [.. parse.GetValue(Backend)!.Split(',').Select(t => t.Trim())], Tls = tls,
            Cert = cert is null ? null : Path.GetFullPath(cert), Key = key is null ? null : Path.GetFullPath(key),
            StripPrefix = parse.GetValue(StripPrefix), Health = RouteSyntax.Path(parse.GetValue(Health), "--health"), RedirectHttps = parse.GetValue(RedirectHttps),
            Timeout = timeout is null ? TimeSpan.FromSeconds(100) : DurationParser.Parse(timeout, "--timeout"), Created = ctx.Time.GetUtcNow(),
        };
        ctx.Engines.IngressRoutes.Create(r);
        if (ctx.Out.Format != Rendering.OutputFormat.Table) ctx.Out.Data(IngressCommands.View(r));
        else ctx.Out.Line($"Route {name} created: {r.Where} → {string.Join(", ", r.Backends)}{(r.Tls == TlsModes.None ? "" : $" (TLS {r.Tls})")}");
        return Task.FromResult(0);
    }
}
