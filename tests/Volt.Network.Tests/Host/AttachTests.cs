using Shouldly;
using Volt.Core.Errors;
using Volt.Network.Addressing;
using Volt.Network.Host;
using Xunit;

namespace Volt.Network.Tests.Host;

/// <summary>Attach/detach against the real ip and nft, inside namespaces the test creates.</summary>
public sealed class AttachTests : IDisposable
{
    private readonly NetnsLab _lab = new();

    public void Dispose() => _lab.Dispose();

    [Fact]
    public async Task Attach_gives_eth0_an_address_reachable_from_the_bridge_and_detach_leaves_nothing()
    {
        var ctr = _lab.AddNamespace("c1");
        var net = _lab.Manager();
        var a = await net.AttachAsync("web", null, new NetnsTarget.Named(ctr), []);

        a.Address.ShouldBe("10.0.0.2");
        a.Gateway.ShouldBe("10.0.0.1");
        a.Bridge.ShouldBe("volt0");
        _lab.Ip(_lab.HostNs, "-br", "addr", "show", "dev", "volt0").Out.ShouldContain("10.0.0.1/24");
        _lab.Ip(ctr, "-br", "addr", "show", "dev", "eth0").Out.ShouldContain("10.0.0.2/24");
        _lab.Ip(ctr, "route", "show", "default").Out.ShouldContain("via 10.0.0.1 dev eth0");
        _lab.Ip(_lab.HostNs, "-br", "link", "show", "master", "volt0").Out.ShouldContain(a.HostVeth);
        _lab.Ping(_lab.HostNs, a.Address).ShouldBeTrue("container address answers from the bridge namespace");
        _lab.Ping(ctr, "10.0.0.1").ShouldBeTrue("gateway answers from the container");
        _lab.NftTable().ShouldContain("ip saddr 10.0.0.0/24 oifname != \"volt0\" masquerade comment \"net:volt0\"");
        NetnsLab.RunIn(_lab.HostNs, "sysctl", "-n", "net.ipv4.ip_forward").Out.Trim().ShouldBe("1");

        (await net.DetachAsync("web")).ShouldBeTrue();
        _lab.LinkExists(_lab.HostNs, a.HostVeth).ShouldBeFalse();
        _lab.LinkExists(ctr, "eth0").ShouldBeFalse();
        _lab.NftTable().ShouldNotContain("ctr:web");
        File.ReadAllText(net.Store.IpamFile("volt0")).ShouldNotContain("web");
        File.Exists(net.Store.AttachmentFile("web", "volt0")).ShouldBeFalse();
        (await net.DetachAsync("web")).ShouldBeFalse(); // idempotent
    }

    [Fact]
    public async Task Two_containers_get_distinct_addresses_and_reach_each_other()
    {
        var c1 = _lab.AddNamespace("c1");
        var c2 = _lab.AddNamespace("c2");
        var net = _lab.Manager();
        var a = await net.AttachAsync("a", null, new NetnsTarget.Named(c1), []);
        var b = await net.AttachAsync("b", null, new NetnsTarget.Named(c2), []);
        a.Address.ShouldNotBe(b.Address);
        _lab.Ping(c1, b.Address).ShouldBeTrue();
        Should.Throw<VoltException>(() => net.AttachAsync("a", null, new NetnsTarget.Named(c2), [])).Code.ShouldBe(ExitCode.AlreadyExists);
        (await net.StatusAsync()).Allocations.Select(x => x.Owner).ShouldBe(["a", "b"]);
    }

    [Fact]
    public async Task Publish_by_pid_reaches_a_listener_in_the_container_from_loopback_and_the_bridge_address()
    {
        var pid = _lab.StartContainerProcess();
        var net = _lab.Manager();
        var a = await net.AttachAsync("app", null, pid, [PortMapping.Parse("18080:8080")]);
        _lab.StartTcpServer(["nsenter", "-t", pid.ToString(), "-n"], 8080, "app");

        _lab.Fetch(_lab.HostNs, "127.0.0.1", 18080).ShouldBe("hello from app");
        _lab.Fetch(_lab.HostNs, "10.0.0.1", 18080).ShouldBe("hello from app");
        _lab.Fetch(_lab.HostNs, a.Address, 8080).ShouldBe("hello from app");
        var table = _lab.NftTable();
        table.ShouldContain("tcp dport 18080 dnat ip to 10.0.0.2:8080 comment \"ctr:app\"");

        await net.DetachAsync("app");
        _lab.NftTable().ShouldNotContain("ctr:app");
        _lab.Fetch(_lab.HostNs, "127.0.0.1", 18080).ShouldBe("");
    }

    [Fact]
    public async Task Detach_after_the_container_died_still_cleans_up()
    {
        var pid = _lab.StartContainerProcess();
        var net = _lab.Manager();
        var a = await net.AttachAsync("gone", null, pid, [PortMapping.Parse("18090:80")]);
        NetnsLab.Must("kill", "-9", pid.ToString());
        NetnsLab.WaitFor(() => !_lab.LinkExists(_lab.HostNs, a.HostVeth), "the veth to vanish with the netns");

        (await net.DetachAsync("gone")).ShouldBeTrue();
        _lab.NftTable().ShouldNotContain("ctr:gone");
        net.Ipam(net.Get("volt0")).Allocations().ShouldBeEmpty();
    }

    [Fact]
    public async Task Detach_keeping_the_address_gives_the_same_address_on_the_next_attach()
    {
        var ctr = _lab.AddNamespace("c1");
        var net = _lab.Manager();
        await net.AttachAsync("x", null, new NetnsTarget.Named(_lab.AddNamespace("c0")), []);
        var first = await net.AttachAsync("keep", null, new NetnsTarget.Named(ctr), []);
        await net.DetachAsync("keep", releaseAddress: false);
        await net.AttachAsync("other", null, new NetnsTarget.Named(_lab.AddNamespace("c2")), []);
        (await net.AttachAsync("keep", null, new NetnsTarget.Named(ctr), [])).Address.ShouldBe(first.Address);
    }
}
