using Shouldly;
using Volt.Testing;
using Volt.Workloads.Tests.Support;
using Xunit;

namespace Volt.Workloads.Tests.Containers;

/// <summary>
/// A busybox httpd reached through <c>--publish</c> from the loopback of a network namespace the test creates (volt runs
/// in it through <c>nsenter --net</c>, which, unlike <c>ip netns exec</c>, keeps /sys/fs/cgroup mounted).
/// </summary>
public sealed class NetworkedContainerTests
{
    [Fact]
    public void Httpd_is_reached_through_publish_and_delete_removes_veth_and_rules()
    {
        using var f = new CliFixture();
        TestEnv.RequireTool("ip");
        TestEnv.RequireTool("curl");
        var ns = "vt" + Guid.NewGuid().ToString("N")[..8];
        TestEnv.Run("ip", "netns", "add", ns).Code.ShouldBe(0);
        try
        {
            string[] In(params string[] a) => ["--net=/var/run/netns/" + ns, .. a];
            TestEnv.Run("nsenter", In("ip", "link", "set", "lo", "up"));
            var env = new Dictionary<string, string> { ["VOLT_ROOT"] = f.Root, ["VOLT_COLOR"] = "never" };
            var run = TestEnv.Run("nsenter", In(VoltBinary.Path, "run", "-d", "--name", "web", "--publish", "8080:80", f.Image,
                "--", "httpd", "-f", "-p", "80", "-h", "/etc"), env, null);
            run.Code.ShouldBe(0, run.Err);
            var body = "";
            for (var i = 0; i < 30 && !body.Contains("root:"); i++)
            {
                body = TestEnv.Run("nsenter", In("curl", "-s", "-m", "2", "http://127.0.0.1:8080/passwd")).Out;
                if (!body.Contains("root:")) Thread.Sleep(100);
            }
            body.ShouldContain("root:x:0:0");
            TestEnv.Run("nsenter", In(VoltBinary.Path, "ps"), env, null).Out.ShouldContain("10.0.0.");

            TestEnv.Run("nsenter", In(VoltBinary.Path, "container", "delete", "-f", "web"), env, null).Code.ShouldBe(0);
            TestEnv.Run("nsenter", In("ip", "-o", "link")).Out.ShouldNotContain("vh-");
            TestEnv.Run("nsenter", In("nft", "list", "ruleset")).Out.ShouldNotContain("8080");
        }
        finally
        {
            if (f.DaemonPid is { } d) Volt.Workloads.Runtime.Native.Kill(d, Volt.Workloads.Runtime.Native.SIGKILL);
            TestEnv.Run("ip", "netns", "delete", ns);
        }
    }
}
