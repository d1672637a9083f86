using Shouldly;
using Volt.Core.Errors;
using Volt.Ingress.Routes;
using Xunit;
using static Volt.Ingress.Tests.RouteTableTests;

namespace Volt.Ingress.Tests;

public sealed class RouteRulesTests
{
    [Theory]
    [InlineData("app.example.com", "app.example.com")]
    [InlineData("App.Example.com.", "app.example.com")]
    [InlineData("*.Example.com", "*.example.com")]
    public void Hostname_IsNormalised(string input, string expected) => RouteSyntax.Hostname(input).ShouldBe(expected);

    [Theory]
    [InlineData("")]
    [InlineData("*.com")]
    [InlineData("a.*.example.com")]
    [InlineData("-a.example.com")]
    [InlineData("a..example.com")]
    [InlineData("app.example.com/x")]
    [InlineData("app_1.example.com")]
    public void BadHostnames_AreUsageErrors(string host) =>
        Should.Throw<VoltException>(() => RouteSyntax.Hostname(host)).Code.ShouldBe(ExitCode.Usage);

    [Theory]
    [InlineData("/", null)]
    [InlineData("/api/", "/api")]
    [InlineData("/api//v1", "/api/v1")]
    [InlineData(null, null)]
    public void Path_IsNormalised(string? input, string? expected) => RouteSyntax.Path(input).ShouldBe(expected);

    [Theory]
    [InlineData("api")]
    [InlineData("/a/../b")]
    [InlineData("/a b")]
    [InlineData("/a?x=1")]
    public void BadPaths_AreUsageErrors(string path) =>
        Should.Throw<VoltException>(() => RouteSyntax.Path(path)).Code.ShouldBe(ExitCode.Usage);

    [Theory]
    [InlineData("127.0.0.1:9090", "127.0.0.1", 9090)]
    [InlineData("[::1]:80", "::1", 80)]
    [InlineData("web:8080", "web", 8080)]
    [InlineData("Backend.internal:443", "backend.internal", 443)]
    public void Backends_Parse(string t, string host, int port) => RouteSyntax.Backend(t).ShouldBe((host, port));

    [Theory]
    [InlineData("web")]
    [InlineData("web:0")]
    [InlineData("web:70000")]
    [InlineData(":80")]
    [InlineData("we b:80")]
    public void BadBackends_AreUsageErrors(string t) =>
        Should.Throw<VoltException>(() => RouteSyntax.Backend(t)).Code.ShouldBe(ExitCode.Usage);

    [Fact]
    public void SameHostAndPath_CollidesNamingTheOtherRoute()
    {
        var c = RouteRules.Collision(R("b", "app.example.com", "/api"), [R("a", "app.example.com", "/api"), R("c", "app.example.com")]);
        c.ShouldNotBeNull().Other.Name.ShouldBe("a");
    }

    [Fact]
    public void DifferentPathsOrHosts_DoNotCollide()
    {
        RouteRules.Collision(R("b", "app.example.com", "/api"), [R("a", "app.example.com"), R("c", "*.example.com", "/api")]).ShouldBeNull();
    }

    [Fact]
    public void PassthroughAndATerminatingRouteOnOneHost_Collide()
    {
        var c = RouteRules.Collision(R("tcp", "app.example.com", tls: TlsModes.Passthrough), [R("web", "app.example.com", "/x", TlsModes.Auto)]);
        c.ShouldNotBeNull().Other.Name.ShouldBe("web");
        RouteRules.Collision(R("tcp", "app.example.com", tls: TlsModes.Passthrough), [R("plain", "app.example.com")]).ShouldBeNull();
    }

    [Fact]
    public void Problems_ReportsEveryCollisionAtOnce()
    {
        var problems = RouteRules.Problems([R("a", "x.example.com"), R("b", "x.example.com"), R("c", "y.example.com", "/p"), R("d", "y.example.com", "/p/")  with { Path = "/p" }]);
        problems.Count.ShouldBe(2);
        problems[0].ShouldContain("route b collides with route a");
        problems[1].ShouldContain("route d collides with route c");
    }

    [Theory]
    [InlineData(TlsModes.Passthrough, "/x", null)]
    [InlineData(TlsModes.Manual, null, null)]
    [InlineData(TlsModes.Auto, null, "*.example.com")]
    public void FlagsThatDoNotGoTogether_AreUsageErrors(string tls, string? path, string? host)
    {
        var r = R("r", host ?? "app.example.com", path, tls);
        Should.Throw<VoltException>(() => RouteRules.CheckSelf(r)).Code.ShouldBe(ExitCode.Usage);
    }

    [Fact]
    public void Workloads_ResolveToEveryInstanceFromTheRecords()
    {
        var at = (string c, string a) => new Volt.Network.State.AttachmentRecord(c, "volt0", "volt0", a, 24, "10.0.0.1", "veth", "", [], DateTimeOffset.UnixEpoch);
        var resolver = new BackendResolver(() => [at("web", "10.0.0.2"), at("web-2", "10.0.0.3"), at("webby", "10.0.0.4"), at("web-x", "10.0.0.5"), at("api", "10.0.0.6")]);
        resolver.Resolve(["web:8080", "127.0.0.1:9", "localhost:10", "db:5432"]).ShouldBe(["10.0.0.2:8080", "10.0.0.3:8080", "127.0.0.1:9", "localhost:10"]);
    }
}
