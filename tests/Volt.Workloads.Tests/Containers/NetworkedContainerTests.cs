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
            string[] In(params string[] a) => [Netns.Enter(ns), .. a];
            TestEnv.Run("nsenter", In("ip", "link", "set", "lo", "up"));
            var env = new Dictionary<string, string> { ["VOLT_ROOT"] = f.Root, ["VOLT_COLOR"] = "never" };
            // Port 80 inside: the default sandbox grants no capabilities, so binding it is asked for explicitly.
            var run = TestEnv.Run("nsenter", In(VoltBinary.Path, "run", "-d", "--name", "web", "--cap-add", "NET_BIND_SERVICE", "--publish", "8080:80", f.Image,
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
            TestEnv.Run("nsenter", In(VoltBinary.Path, "container", "inspect", "web", "-o", "json"), env, null).Out
                .ShouldContain("\"network\": \"volt0\"", customMessage: "--publish alone joins volt0");

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

    [Fact]
    public void A_networked_payloads_first_instruction_has_its_route_and_dns_and_run_rm_leaves_no_namespace_or_veth()
    {
        using var f = new CliFixture();
        TestEnv.RequireTool("ip");
        var ns = "vt" + Guid.NewGuid().ToString("N")[..8];
        TestEnv.Run("ip", "netns", "add", ns).Code.ShouldBe(0);
        try
        {
            string[] In(params string[] a) => [Netns.Enter(ns), .. a];
            TestEnv.Run("nsenter", In("ip", "link", "set", "lo", "up"));
            var env = new Dictionary<string, string> { ["VOLT_ROOT"] = f.Root, ["VOLT_COLOR"] = "never", ["VOLT_NETWORK_DEFAULT"] = "volt0" };
            (int Code, string Out, string Err) V(params string[] a) => TestEnv.Run("nsenter", In([VoltBinary.Path, .. a]), env, null);
            // Before the fix the veth went in after PID 1 started: a payload this short was gone first ("Failed creating
            // veth … No such process"), and a longer one ran its first instructions without a network.
            var quick = V("run", "--rm", f.Image, "true");
            quick.Code.ShouldBe(0, quick.Err);
            var first = V("run", "--rm", f.Image, "cat", "/proc/net/route", "/etc/resolv.conf");
            first.Code.ShouldBe(0, first.Err);
            first.Out.ShouldContain("eth0\t00000000\t", customMessage: "a default route via eth0 before the payload's first instruction");
            first.Out.ShouldContain("nameserver 10.0.0.1");
            var d = V("run", "-d", "--name", "bg", f.Image, "sleep", "100");
            d.Code.ShouldBe(0, d.Err);
            V("container", "exec", "bg", "cat", "/proc/net/route").Out.ShouldContain("eth0\t00000000\t");
            V("container", "delete", "-f", "bg").Code.ShouldBe(0);

            TestEnv.Run("nsenter", In("ip", "-o", "link")).Out.ShouldNotContain("vh-");
            var prefix = "vc" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(f.Root)))[..8] + "-";
            (Directory.Exists("/run/netns") ? Directory.GetFiles("/run/netns", prefix + "*") : []).ShouldBeEmpty();
        }
        finally
        {
            if (f.DaemonPid is { } d) Volt.Workloads.Runtime.Native.Kill(d, Volt.Workloads.Runtime.Native.SIGKILL);
            TestEnv.Run("ip", "netns", "delete", ns);
        }
    }

    [Fact]
    public void Without_network_a_container_joins_volt0_and_net_connect_adds_eth1_while_it_runs()
    {
        using var f = new CliFixture();
        TestEnv.RequireTool("ip");
        var ns = "vt" + Guid.NewGuid().ToString("N")[..8];
        TestEnv.Run("ip", "netns", "add", ns).Code.ShouldBe(0);
        try
        {
            string[] In(params string[] a) => [Netns.Enter(ns), .. a];
            TestEnv.Run("nsenter", In("ip", "link", "set", "lo", "up"));
            // The seed's default (the suites run with VOLT_NETWORK_DEFAULT=none; this test is inside its own netns).
            var env = new Dictionary<string, string> { ["VOLT_ROOT"] = f.Root, ["VOLT_COLOR"] = "never", ["VOLT_NETWORK_DEFAULT"] = "volt0" };
            (int Code, string Out, string Err) V(params string[] a) => TestEnv.Run("nsenter", In([VoltBinary.Path, .. a]), env, null);
            V("run", "-d", "--name", "plain", f.Image, "sleep", "100").Code.ShouldBe(0);
            V("run", "-d", "--name", "lo", "--network", "none", f.Image, "sleep", "100").Code.ShouldBe(0);
            V("container", "inspect", "plain", "-o", "json").Out.ShouldContain("\"network\": \"volt0\"");
            V("container", "inspect", "lo", "-o", "json").Out.ShouldNotContain("\"network\": \"volt0\"");
            V("container", "exec", "lo", "cat", "/proc/net/dev").Out.ShouldNotContain("eth0");

            V("net", "create", "back", "--subnet", "10.9.0.0/24").Code.ShouldBe(0);
            var c = V("net", "connect", "back", "plain");
            c.Code.ShouldBe(0, c.Err);
            c.Out.ShouldContain("eth1 10.9.0.2/24");
            var dev = V("container", "exec", "plain", "cat", "/proc/net/dev").Out;
            dev.ShouldContain("eth0");
            dev.ShouldContain("eth1");
            V("net", "connect", "back", "lo").Code.ShouldBe(9, "a --network none container stays loopback only");
            V("net", "status", "-o", "json").Out.ShouldContain("10.9.0.2");

            V("container", "delete", "-f", "plain").Code.ShouldBe(0);
            V("container", "delete", "-f", "lo").Code.ShouldBe(0);
            TestEnv.Run("nsenter", In("ip", "-o", "link")).Out.ShouldNotContain("vh-");
        }
        finally
        {
            if (f.DaemonPid is { } d) Volt.Workloads.Runtime.Native.Kill(d, Volt.Workloads.Runtime.Native.SIGKILL);
            TestEnv.Run("ip", "netns", "delete", ns);
        }
    }

    [Fact]
    public async Task A_run_whose_published_port_is_taken_exits_9_and_leaves_nothing_also_with_rm()
    {
        using var f = new CliFixture();
        TestEnv.RequireTool("ip");
        var ns = "vt" + Guid.NewGuid().ToString("N")[..8];
        TestEnv.Run("ip", "netns", "add", ns).Code.ShouldBe(0);
        System.Diagnostics.Process? listener = null;
        try
        {
            string[] In(params string[] a) => [Netns.Enter(ns), .. a];
            TestEnv.Run("nsenter", In("ip", "link", "set", "lo", "up"));
            listener = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("nsenter", In("busybox", "nc", "-l", "-p", "18999"))
                { RedirectStandardInput = true, RedirectStandardOutput = true })!;
            await ContainerFixture.WaitFor(() => TestEnv.Run("nsenter", In("cat", "/proc/net/tcp", "/proc/net/tcp6")).Out.Split('\n')
                .Any(l => l.Contains(":4A37 ") && l.Contains(" 0A ")), what: "the listener");
            var env = new Dictionary<string, string> { ["VOLT_ROOT"] = f.Root, ["VOLT_COLOR"] = "never" };
            var parent = Volt.Workloads.Cgroups.CgroupDetector.ParentFor(f.Paths);
            IEnumerable<string> Leftovers(string name) => Directory.GetDirectories("/sys/fs/cgroup").Append("/sys/fs/cgroup")
                .Select(h => Path.Combine(h, parent, name)).Where(Directory.Exists);

            var d = TestEnv.Run("nsenter", In(VoltBinary.Path, "run", "-d", "--name", "taken", "--publish", "18999:80", f.Image, "sleep", "100"), env, null);
            d.Code.ShouldBe(9, d.Err);
            Leftovers("taken").ShouldBeEmpty();
            f.Store.Names().ShouldBeEmpty();

            var rm = TestEnv.Run("nsenter", In(VoltBinary.Path, "run", "--rm", "--name", "taken2", "--publish", "18999:80", f.Image, "sleep", "100"), env, null);
            rm.Code.ShouldBe(9, rm.Err);
            rm.Err.ShouldNotContain("is running");
            Leftovers("taken2").ShouldBeEmpty();
            f.Store.Names().ShouldBeEmpty();
            File.ReadAllText("/proc/self/mountinfo").ShouldNotContain(f.Store.Rootfs("taken2"));
            TestEnv.Run("nsenter", In("nft", "list", "ruleset")).Out.ShouldNotContain("ctr:taken");
        }
        finally
        {
            if (listener is not null) { Volt.Workloads.Runtime.Native.Kill(listener.Id, Volt.Workloads.Runtime.Native.SIGKILL); listener.WaitForExit(); listener.Dispose(); }
            if (f.DaemonPid is { } dp) Volt.Workloads.Runtime.Native.Kill(dp, Volt.Workloads.Runtime.Native.SIGKILL);
            TestEnv.Run("ip", "netns", "delete", ns);
        }
    }
}
