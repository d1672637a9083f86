using System.Diagnostics;
using System.Text.RegularExpressions;
using Shouldly;
using Volt.Testing;

namespace Volt.Compose.Tests.Integration;

/// <summary>
/// The quick start's main job as install.sh runs it: examples/hello-stack/volt-compose.yaml (a Constellation: nginx →
/// flask → MariaDB on one image built from Debian packages, the same package set as the nginx-flask-mysql test, so
/// one cached debootstrap serves both) brought up in a network namespace the test creates, with volt-dns there. The
/// page through the port published on 127.0.0.1 counts visits in MariaDB; the port answers on loopback only
/// (<c>host_ip</c>), MariaDB's socket directory is a tmpfs; <c>down -v</c> leaves nothing.
/// </summary>
public sealed partial class ExampleStackTests
{
    [Fact]
    public async Task The_quick_start_example_stack_serves_its_page_on_loopback_counting_visits_in_mariadb()
    {
        TestEnv.RequireRoot("containers need mounts, cgroups and systemd-nspawn");
        TestEnv.RequireTool("systemd-nspawn");
        TestEnv.RequireTool("debootstrap");
        TestEnv.RequireTool("curl");
        TestEnv.RequireTool("nft");
        using var dir = new TempDir("compose-hello");
        var (root, env) = StackImage.Create(dir, "volt-example");

        var file = Path.Combine(TestEnv.RepoRoot, "examples", "hello-stack", "volt-compose.yaml");
        var ns = "vh" + Guid.NewGuid().ToString("N")[..8];
        TestEnv.Run("ip", "netns", "add", ns).Code.ShouldBe(0);
        string[] In(params string[] a) => [Netns.Enter(ns), .. a];
        (int Code, string Out, string Err) Sh(params string[] a) => TestEnv.Run("nsenter", In(a));
        (int Code, string Out, string Err) Volt(params string[] a) => TestEnv.Run("nsenter", In([VoltBinary.Path, .. a]), env, null);
        (int Code, string Out, string Err) Compose(params string[] a) => Volt(["compose", "-f", file, .. a]);
        Process? dns = null;
        try
        {
            Sh("ip", "link", "set", "lo", "up");
            dns = await NginxFlaskMysqlTests.StartDnsAsync(ns, env);

            var up = Compose("up", "-d", "--wait-timeout", "3m");
            up.Code.ShouldBe(0, up.Out + up.Err);
            up.Out.ShouldContain("db (hello-db-1): healthy", customMessage: up.Out);
            up.Out.ShouldContain("app (hello-app-1): healthy", customMessage: up.Out);
            var ps = Compose("ps");
            ps.Code.ShouldBe(0, ps.Err);
            foreach (var s in new[] { "hello-db-1", "hello-app-1", "hello-web-1" }) ps.Out.ShouldContain(s);
            ps.Out.ShouldContain("127.0.0.1:8080:8080");

            var first = await NginxFlaskMysqlTests.PageAsync(() => Sh("curl", "-s", "-m", "10", "http://127.0.0.1:8080/"), "Visits:");
            first.ShouldContain("Hello from a Volt stack");
            var n = int.Parse(VisitsRx().Match(first).Groups[1].Value);
            var second = Sh("curl", "-s", "-m", "10", "http://127.0.0.1:8080/").Out;
            int.Parse(VisitsRx().Match(second).Groups[1].Value).ShouldBe(n + 1, second);

            // host_ip 127.0.0.1: the DNAT matches loopback only, so the same port on the stack network's gateway
            // (a local address too) is not forwarded.
            var rules = Sh("nft", "list", "table", "inet", "volt").Out;
            rules.ShouldContain("ip daddr 127.0.0.1 tcp dport 8080 dnat", customMessage: rules);
            var gateway = Regex.Match(Sh("ip", "-4", "-o", "addr").Out, @"inet (10\.\d+\.\d+\.1)/").Groups[1].Value;
            gateway.ShouldNotBeEmpty();
            Sh("curl", "-s", "-m", "5", $"http://{gateway}:8080/").Out.ShouldNotContain("Visits:");

            // tmpfs: MariaDB's socket directory is a tmpfs mount inside the container.
            var mounts = Volt("exec", "hello-db-1", "cat", "/proc/self/mountinfo");
            mounts.Code.ShouldBe(0, mounts.Err);
            mounts.Out.ShouldContain(" /run/mysqld ", customMessage: mounts.Out);
            mounts.Out.Split('\n').First(l => l.Contains(" /run/mysqld ", StringComparison.Ordinal)).ShouldContain(" - tmpfs ");

            var down = Compose("down", "-v");
            down.Code.ShouldBe(0, down.Out + down.Err);
            Volt("container", "list").Out.ShouldNotContain("hello-");
            Sh("ip", "-o", "link").Out.ShouldNotContain("vh-");
            Sh("nft", "list", "ruleset").Out.ShouldNotContain("dport 8080");
            File.ReadAllText("/proc/self/mountinfo").ShouldNotContain(root);
            NginxFlaskMysqlTests.CgroupsOf("hello-").ShouldBeEmpty();
            Directory.Exists(Path.Combine(root, "var/lib/volt/volumes/hello_db-data")).ShouldBeFalse("down -v removes the database volume");
        }
        finally
        {
            Compose("down", "-v");
            if (dns is { HasExited: false }) { dns.Kill(); dns.WaitForExit(5000); }
            dns?.Dispose();
            var pidFile = Path.Combine(root, "var/run/volt/volt.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) TestEnv.Run("kill", "-9", pid.ToString());
            TestEnv.Run("ip", "netns", "delete", ns);
        }
    }

    [GeneratedRegex(@"Visits: (\d+)")]
    private static partial Regex VisitsRx();
}
