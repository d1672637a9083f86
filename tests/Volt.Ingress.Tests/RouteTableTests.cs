using Shouldly;
using Volt.Ingress.Routes;
using Xunit;

namespace Volt.Ingress.Tests;

public sealed class RouteTableTests
{
    internal static IngressRoute R(string name, string host, string? path = null, string tls = TlsModes.None) =>
        new() { Name = name, Hostname = host, Path = path, Backends = ["127.0.0.1:9"], Tls = tls };

    private static readonly RouteTable Table = new(
    [
        R("app", "app.example.com"),
        R("app-api", "app.example.com", "/api"),
        R("app-api-v1", "app.example.com", "/api/v1"),
        R("wild", "*.example.com"),
        R("wild-static", "*.example.com", "/static"),
        R("other-hooks", "webhooks.example.com", "/hooks"),
        R("tcp", "db.example.com", tls: TlsModes.Passthrough),
        R("wild-tcp", "*.tcp.example.com", tls: TlsModes.Passthrough),
    ]);

    [Theory]
    // exact hostname + longest path prefix
    [InlineData("app.example.com", "/api/v1/users", "app-api-v1")]
    [InlineData("app.example.com", "/api/v1", "app-api-v1")]
    [InlineData("app.example.com", "/api/v2", "app-api")]
    [InlineData("app.example.com", "/api", "app-api")]
    // a prefix matches whole segments only
    [InlineData("app.example.com", "/apiv1", "app")]
    [InlineData("app.example.com", "/api/v10", "app-api")]
    // exact hostname without a path
    [InlineData("app.example.com", "/", "app")]
    [InlineData("APP.Example.COM:8080", "/x", "app")]
    [InlineData("app.example.com.", "/x", "app")]
    // an exact host with only path routes: no match falls through to the wildcard
    [InlineData("webhooks.example.com", "/hooks/github", "other-hooks")]
    [InlineData("webhooks.example.com", "/other", "wild")]
    [InlineData("webhooks.example.com", "/static/a.css", "wild-static")]
    // wildcard + longest prefix, then the wildcard without a path
    [InlineData("shop.example.com", "/static/app.js", "wild-static")]
    [InlineData("shop.example.com", "/", "wild")]
    // an exact route beats a wildcard one even with a longer wildcard prefix
    [InlineData("app.example.com", "/static/x", "app")]
    // one label only, and not the apex
    [InlineData("a.b.example.com", "/", null)]
    [InlineData("example.com", "/", null)]
    [InlineData("unknown.org", "/", null)]
    // passthrough routes never answer HTTP
    [InlineData("db.example.com", "/", "wild")]
    public void Resolve_FollowsTheSeedsOrderOfSpecificity(string host, string path, string? expected) =>
        Table.Resolve(host, path)?.Name.ShouldBe(expected);

    [Theory]
    [InlineData("db.example.com", "tcp")]
    [InlineData("DB.example.com", "tcp")]
    [InlineData("x.tcp.example.com", "wild-tcp")]
    [InlineData("app.example.com", null)]
    [InlineData(null, null)]
    public void ResolveSni_FindsPassthroughRoutes_ExactBeforeWildcard(string? sni, string? expected) =>
        Table.ResolveSni(sni)?.Name.ShouldBe(expected);
}
