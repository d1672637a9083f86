using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.Config;
using Volt.Registry.Auth;

namespace Volt.Commands.Registry;

internal sealed class RegistryTokenCommand : VoltCommand
{
    private static readonly Option<bool> Push = new("--push") { Description = "Grant push (read-write) access; default is pull (read-only)" };
    private static readonly Option<string> Expiry = new Option<string>("--expiry") { Description = "Lifetime, e.g. 12h, 7d, 4w", HelpName = "DURATION", DefaultValueFactory = _ => "30d" }.AcceptDuration();
    private static readonly Option<string?> Scope = new("--scope") { Description = "Only these repositories: names and NAME/* patterns, comma-separated (default: every repository)", HelpName = "REPO[,REPO…]" };
    private static readonly Option<string> Subject = new("--name") { Description = "Who the token is for (recorded in it and in the audit log)", DefaultValueFactory = _ => "volt" };

    public RegistryTokenCommand() : base("token", "Create a bearer token for the registry (a pull token unless --push; every repository unless --scope)")
    {
        Add(Push); Add(Expiry); Add(Scope); Add(Subject);
        Examples =
        [
            "volt registry token",
            "volt registry token --push --expiry 7d",
            "volt registry token --push --scope team/*,tools/ci --name ci",
            "skopeo copy --dest-creds \"ci:$(volt registry token --push)\" oci:./img:v1 docker://localhost:5000/app:v1",
        ];
    }

    public override string AuditAction => "registry.token";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var access = parse.GetValue(Push) ? Access.Push : Access.Pull;
        var lifetime = RegistryOptionValues.Duration(parse.GetValue(Expiry)!, "--expiry", RegistryOptionValues.MaxTokenLifetime);
        var subject = parse.GetValue(Subject)!;
        var scope = parse.GetValue(Scope) is { } list ? RepositoryScope.Parse(list) : null;
        var (token, claims) = new TokenService(TokenService.KeyPath(ctx.Paths), ctx.Time).Issue(subject, access, lifetime, scope);
        ctx.AuditResource = $"{access} token for {subject} on {RepositoryScope.Describe(scope)} (id {claims.Id}, expires {claims.Expires:yyyy-MM-ddTHH:mm:ssZ})";
        ctx.Out.Line(token);
        if (ctx.Out.Format != Rendering.OutputFormat.Table)
            ctx.Out.Data(new JsonObject
            {
                ["token"] = token, ["access"] = access, ["subject"] = subject, ["id"] = claims.Id,
                ["repositories"] = scope is null ? null : new JsonArray([.. scope.Select(r => (JsonNode)r)]),
                ["expires"] = claims.Expires.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            });
        return Task.FromResult(0);
    }
}
