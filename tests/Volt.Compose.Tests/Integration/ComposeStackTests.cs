using Shouldly;
using Volt.Testing;

namespace Volt.Compose.Tests.Integration;

/// <summary>
/// A real stack on real containers (systemd-nspawn under voltd), in a network namespace the test creates: the
/// service_healthy chain in order, the page through a published port, a second up that changes nothing, an update
/// that recreates one service, and a down that leaves no container, veth, nft rule or network (the volume only
/// with -v).
/// </summary>
public sealed class ComposeStackTests
{
    [Fact]
    public void Up_waits_for_health_serves_through_the_published_port_and_down_leaves_nothing()
    {
        TestEnv.RequireRoot("containers need mounts, cgroups and systemd-nspawn");
        TestEnv.RequireTool("systemd-nspawn");
        TestEnv.RequireTool("ip");
        TestEnv.RequireTool("curl");
        using var dir = new TempDir("compose-it");
        var image = Busybox.Create(dir.Combine("image"));
        var root = dir.Combine("root");
        dir.Write("stack/compose.yaml", $$$"""
            name: it
            services:
              db:
                image: {{{image}}}
                command: [sh, -c, "sleep 1; echo ready > /data/state; exec httpd -f -p 8081 -h /data"]
                volumes: [data:/data]
                healthcheck: {test: "test -f /data/state", interval: 200ms, retries: 100}
              web:
                image: {{{image}}}
                command: [httpd, -f, -p, "8080", -h, /etc]
                ports: ["8080:8080"]
                environment: {MODE: "${MODE:-one}"}
                depends_on: {db: {condition: service_healthy}}
            volumes: {data: }
            """);
        var ns = "vc" + Guid.NewGuid().ToString("N")[..8];
        TestEnv.Run("ip", "netns", "add", ns).Code.ShouldBe(0);
        var env = new Dictionary<string, string> { ["VOLT_ROOT"] = root, ["VOLT_COLOR"] = "never" };
        string[] In(params string[] a) => [Netns.Enter(ns), .. a];
        (int Code, string Out, string Err) Volt(params string[] a) => TestEnv.Run("nsenter", In([VoltBinary.Path, "compose", "-f", dir.Combine("stack", "compose.yaml"), .. a]), env, null);
        try
        {
            TestEnv.Run("nsenter", In("ip", "link", "set", "lo", "up"));
            var up = Volt("up", "-d");
            up.Code.ShouldBe(0, up.Out + up.Err);
            var lines = up.Out.Split('\n').ToList();
            var healthy = lines.FindIndex(l => l.Contains("db (it-db-1): healthy"));
            var webCreated = lines.FindIndex(l => l.Contains("web (it-web-1): created"));
            healthy.ShouldBeGreaterThanOrEqualTo(0, up.Out);
            webCreated.ShouldBeGreaterThan(healthy, up.Out);

            var ps = Volt("ps");
            ps.Out.ShouldContain("it-db-1");
            ps.Out.ShouldContain("running (healthy)");
            ps.Out.ShouldContain("8080:80");
            // up -d returns once web runs; httpd listens a moment later (its health is not checked): bounded retries.
            var page = "";
            for (var i = 0; i < 50 && !page.Contains("root:x:0:0"); i++)
            {
                page = TestEnv.Run("nsenter", In("curl", "-s", "-m", "5", "http://127.0.0.1:8080/passwd")).Out;
                if (!page.Contains("root:x:0:0")) Thread.Sleep(100);
            }
            page.ShouldContain("root:x:0:0");
            Directory.GetFiles(Path.Combine(root, "var/lib/volt/networks/attachments"), "it-web-1*").Select(File.ReadAllText).Single().ShouldContain("\"web\"");

            var again = Volt("up", "-d");
            again.Code.ShouldBe(0, again.Err);
            again.Out.ShouldNotContain("created");

            var changed = TestEnv.Run("nsenter", In([VoltBinary.Path, "compose", "-f", dir.Combine("stack", "compose.yaml"), "up", "-d"]),
                new Dictionary<string, string>(env) { ["MODE"] = "two" }, null);
            changed.Code.ShouldBe(0, changed.Err);
            changed.Out.ShouldContain("web (it-web-1): created");
            changed.Out.ShouldNotContain("db (it-db-1): created");
            TestEnv.Run("nsenter", In(VoltBinary.Path, "container", "inspect", "it-web-1", "-o", "json"), env, null).Out.ShouldContain("MODE=two");

            var down = Volt("down");
            down.Code.ShouldBe(0, down.Out + down.Err);
            TestEnv.Run("nsenter", In(VoltBinary.Path, "container", "list"), env, null).Out.ShouldNotContain("it-");
            TestEnv.Run("nsenter", In("ip", "-o", "link")).Out.ShouldNotContain("vh-");
            TestEnv.Run("nsenter", In("nft", "list", "ruleset")).Out.ShouldNotContain("8080");
            Directory.Exists(Path.Combine(root, "var/lib/volt/volumes/it_data")).ShouldBeTrue("down keeps volumes");
            File.ReadAllText(Path.Combine(root, "var/lib/volt/volumes/it_data/state")).ShouldBe("ready\n");
            Volt("down", "-v").Code.ShouldBe(0);
            Directory.Exists(Path.Combine(root, "var/lib/volt/volumes/it_data")).ShouldBeFalse("down -v removes them");
        }
        finally
        {
            Volt("down", "-v");
            var pidFile = Path.Combine(root, "var/run/volt/volt.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) TestEnv.Run("kill", "-9", pid.ToString());
            TestEnv.Run("ip", "netns", "delete", ns);
        }
    }
}
