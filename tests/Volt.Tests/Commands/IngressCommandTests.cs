using System.Text.Json;
using Shouldly;
using Xunit;

namespace Volt.Tests.Commands;

public sealed class IngressCommandTests
{
    [Fact]
    public void Create_List_Inspect_Delete_WithCollisionsExit9NamingTheOtherRoute()
    {
        using var cli = new CliHarness();
        cli.Run("ingress", "create", "--name", "web", "--hostname", "App.Example.com", "--backend", "web:8080,127.0.0.1:81").Code.ShouldBe(0);
        cli.Run("ingress", "create", "--name", "api", "--hostname", "app.example.com", "--path", "/api/", "--backend", "127.0.0.1:3000", "--strip-prefix").Code.ShouldBe(0);
        var clash = cli.Run("ingress", "create", "--name", "api2", "--hostname", "app.example.com", "--path", "/api", "--backend", "127.0.0.1:3001");
        clash.Code.ShouldBe(9, clash.ToString());
        clash.Err.ShouldContain("collides with route api");
        cli.Run("ingress", "create", "--name", "web", "--hostname", "x.example.com", "--backend", "127.0.0.1:1").Code.ShouldBe(4);
        cli.Run("ingress", "create", "--name", "bad", "--hostname", "x.example.com", "--backend", "nope").Code.ShouldBe(2);
        cli.Run("ingress", "create", "--name", "pt", "--hostname", "x.example.com", "--path", "/a", "--backend", "127.0.0.1:1", "--tls", "passthrough").Code.ShouldBe(2);

        var list = cli.Run("ingress", "list", "-o", "json");
        list.Code.ShouldBe(0);
        var rows = JsonDocument.Parse(list.Out).RootElement;
        rows.GetArrayLength().ShouldBe(2);
        rows[0].GetProperty("name").GetString().ShouldBe("api");
        rows[0].GetProperty("path").GetString().ShouldBe("/api");
        rows[1].GetProperty("hostname").GetString().ShouldBe("app.example.com");

        var inspect = cli.Run("ingress", "inspect", "--name", "web", "-o", "json");
        inspect.Code.ShouldBe(0);
        // no attachment record for workload "web" yet: only the literal target resolves
        JsonDocument.Parse(inspect.Out).RootElement.GetProperty("resolved").EnumerateArray().Select(e => e.GetString()).ShouldBe(["127.0.0.1:81"]);

        var reload = cli.Run("ingress", "reload");
        reload.Code.ShouldBe(0, reload.ToString());
        reload.Out.ShouldContain("2 route(s) valid; no ingress is running");
        cli.Run("ingress", "status").Out.ShouldContain("Ingress: not running");

        cli.Run("ingress", "delete", "--name", "api").Code.ShouldBe(0);
        cli.Run("ingress", "delete", "--name", "api").Code.ShouldBe(3);
        cli.Run("ingress", "inspect", "--name", "api").Code.ShouldBe(3);
    }

    [Fact]
    public void Reload_ReportsEveryBrokenRouteFile_Exit12()
    {
        using var cli = new CliHarness();
        cli.Run("ingress", "create", "--name", "web", "--hostname", "app.example.com", "--backend", "127.0.0.1:80").Code.ShouldBe(0);
        var dir = Path.Combine(cli.Root, "etc", "volt", "ingress");
        File.WriteAllText(Path.Combine(dir, "twin.json"), File.ReadAllText(Path.Combine(dir, "web.json")).Replace("\"web\"", "\"twin\""));
        var r = cli.Run("ingress", "reload");
        r.Code.ShouldBe(12, r.ToString());
        r.Err.ShouldContain("route web collides with route twin");
    }

    [Fact]
    public void InstallService_WritesTheVoltIngressUnit()
    {
        // The real binary: the unit names the executable that wrote it, which the in-process harness is not.
        using var dir = new Volt.Testing.TempDir();
        var r = Volt.Testing.VoltBinary.Run(dir.Path, "ingress", "install-service", "--http-port", "8080", "--https-port", "8443", "--listen", "127.0.0.1");
        r.Code.ShouldBe(0, r.Err);
        var unit = File.ReadAllText(Path.Combine(dir.Path, "var", "lib", "volt", "units", "volt-ingress.service"));
        unit.ShouldContain("ingress serve --http-port 8080 --https-port 8443 --listen 127.0.0.1");
    }
}
