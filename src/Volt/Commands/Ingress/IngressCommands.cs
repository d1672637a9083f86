using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Ingress.Routes;

namespace Volt.Commands.Ingress;

internal static class IngressCommands
{
    public static Command Group() => new GroupCommand("ingress", "The ingress proxy: host and path routes to workloads, TLS (auto, manual, passthrough), health checks",
        new IngressCreateCommand(), new IngressListCommand(), new IngressInspectCommand(), new IngressDeleteCommand(),
        new IngressStatusCommand(), new IngressReloadCommand(), new IngressServeCommand(), new IngressInstallServiceCommand())
    {
        Examples =
        [
            "volt ingress create --name web --hostname app.example.com --backend web:8080 --tls auto --redirect-https",
            "volt ingress create --name api --hostname app.example.com --path /api --backend 127.0.0.1:3000,127.0.0.1:3001 --strip-prefix --health /healthz",
            "volt ingress create --name gitops-webhook --hostname webhooks.example.com --path /hooks --backend localhost:9090 --tls auto",
            "volt ingress serve --acme-email ops@example.com",
            "volt ingress reload",
        ],
    };

    public static readonly Option<string> Name = new Option<string>("--name") { Description = "Route name", Required = true, HelpName = "NAME" }
        .Accept(n => RouteSyntax.Name(n));

    public static JsonObject View(IngressRoute r) => new()
    {
        ["name"] = r.Name, ["hostname"] = r.Hostname, ["path"] = r.Path, ["backends"] = new JsonArray([.. r.Backends.Select(b => (JsonNode)b)]),
        ["tls"] = r.Tls, ["cert"] = r.Cert, ["key"] = r.Key, ["strip_prefix"] = r.StripPrefix, ["health"] = r.Health,
        ["redirect_https"] = r.RedirectHttps, ["timeout"] = r.Timeout.ToString(), ["created"] = r.Created.ToString("O"),
    };
}
