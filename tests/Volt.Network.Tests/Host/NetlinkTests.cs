using System.Net;
using Shouldly;
using Volt.Network.Host;
using Volt.Network.Netlink;
using Xunit;

namespace Volt.Network.Tests.Host;

/// <summary>The in-process rtnetlink steps against the real kernel, in namespaces the test creates (and deletes).</summary>
public sealed class NetlinkTests : IDisposable
{
    private readonly NetnsLab _lab = new();
    private readonly List<string> _made = [];

    public void Dispose()
    {
        foreach (var n in _made) NamedNetns.Delete(n);
        _lab.Dispose();
    }

    private string MakeNetns(string suffix)
    {
        var name = $"volt-test-nl-{Guid.NewGuid().ToString("N")[..8]}-{suffix}";
        _made.Add(name);
        NamedNetns.Create(name);
        return name;
    }

    [Fact]
    public void A_namespace_made_in_process_is_a_bind_mounted_netns_of_its_own_and_delete_removes_it()
    {
        var name = MakeNetns("a");
        var path = NamedNetns.PathOf(name);
        NetnsLab.Run("ip", "netns", "list").Out.ShouldContain(name);
        File.ReadAllText("/proc/self/mountinfo").ShouldContain(path);
        // Its own namespace: only loopback in it, and not ours.
        var links = _lab.Ip(name, "-br", "link").Out.Trim().Split('\n');
        links.ShouldHaveSingleItem().ShouldStartWith("lo");
        NetnsLab.Run("stat", "-L", "-c", "%i", path).Out.ShouldNotBe(NetnsLab.Run("stat", "-L", "-c", "%i", "/proc/self/ns/net").Out);
        // The calling thread never left its namespace.
        Path.GetFileName(new FileInfo("/proc/thread-self/ns/net").LinkTarget).ShouldBe(Path.GetFileName(new FileInfo("/proc/self/ns/net").LinkTarget));

        Should.Throw<NetlinkException>(() => NamedNetns.Create(name)).Errno.ShouldBe(17);

        NamedNetns.Delete(name).ShouldBeTrue();
        File.Exists(path).ShouldBeFalse();
        File.ReadAllText("/proc/self/mountinfo").ShouldNotContain(path);
        NamedNetns.Delete(name).ShouldBeFalse();
    }

    [Fact]
    public void A_veth_with_address_route_and_link_up_over_netlink_answers_a_ping_and_delete_takes_the_pair()
    {
        var h = _lab.HostNs;
        NetnsLab.Must("ip", "-n", h, "link", "add", "brnl", "type", "bridge");
        NetnsLab.Must("ip", "-n", h, "addr", "add", "10.77.0.1/24", "dev", "brnl");
        NetnsLab.Must("ip", "-n", h, "link", "set", "brnl", "up");
        var ctr = MakeNetns("c");
        var rt = new RtLinks(LinkDriver.NetnsPath(h));

        rt.CreateVeth("vnl0", "brnl", NamedNetns.PathOf(ctr), "eth0", 1400, "02:76:0a:4d:00:02");
        rt.ConfigureInside(NamedNetns.PathOf(ctr), "eth0", IPAddress.Parse("10.77.0.2"), 24, IPAddress.Parse("10.77.0.1"), null, 64, null, defaultRoute: true);

        var host = _lab.Ip(h, "-d", "link", "show", "dev", "vnl0").Out;
        host.ShouldContain("master brnl");
        host.ShouldContain("mtu 1400");
        host.ShouldContain("state UP");
        var inside = _lab.Ip(ctr, "addr", "show", "dev", "eth0").Out;
        inside.ShouldContain("inet 10.77.0.2/24");
        inside.ShouldContain("link/ether 02:76:0a:4d:00:02");
        inside.ShouldContain("mtu 1400");
        _lab.Ip(ctr, "-br", "link", "show", "dev", "lo").Out.ShouldContain("UNKNOWN"); // loopback up (it never reports UP)
        _lab.Ip(ctr, "route", "show", "default").Out.ShouldContain("default via 10.77.0.1 dev eth0");
        rt.Index("vnl0").ShouldNotBeNull();
        _lab.Ping(h, "10.77.0.2").ShouldBeTrue("the container end answers from the bridge's namespace");

        // Refusals carry the kernel's errno: the same pair again exists.
        Should.Throw<NetlinkException>(() => rt.CreateVeth("vnl0", "brnl", NamedNetns.PathOf(ctr), "eth1", 0, null)).Errno.ShouldBe(17);

        rt.Delete("vnl0").ShouldBeTrue();
        _lab.LinkExists(ctr, "eth0").ShouldBeFalse();
        rt.Index("vnl0").ShouldBeNull();
        rt.Delete("vnl0").ShouldBeFalse();
    }

    [Fact]
    public void The_nftables_generation_moves_with_any_committed_change_and_sysctls_are_written_in_the_managed_namespace()
    {
        var rt = new RtLinks(LinkDriver.NetnsPath(_lab.HostNs));
        var before = rt.NftGeneration().ShouldNotBeNull();
        rt.NftGeneration().ShouldBe(before);
        NetnsLab.MustIn(_lab.HostNs, "nft", "add", "table", "inet", "volttestgen");
        rt.NftGeneration().ShouldNotBe(before);

        NetnsLab.MustIn(_lab.HostNs, "sysctl", "-q", "-w", "net.ipv4.ip_forward=0");
        rt.Sysctl("net.ipv4.ip_forward", "1");
        NetnsLab.RunIn(_lab.HostNs, "sysctl", "-n", "net.ipv4.ip_forward").Out.Trim().ShouldBe("1");
    }

    [Fact]
    public async Task An_attach_after_nft_flush_ruleset_puts_the_networks_rules_back_though_earlier_attaches_found_them()
    {
        var net = _lab.Manager();
        await net.AttachAsync("a", null, new NetnsTarget.Named(_lab.AddNamespace("c1")), []);
        await net.AttachAsync("b", null, new NetnsTarget.Named(_lab.AddNamespace("c2")), []);
        _lab.NftTable().ShouldContain("net:volt0");

        NetnsLab.MustIn(_lab.HostNs, "nft", "flush", "ruleset");
        await net.AttachAsync("c", null, new NetnsTarget.Named(_lab.AddNamespace("c3")), []);
        _lab.NftTable().ShouldContain("masquerade comment \"net:volt0\"");
    }

    [Fact]
    public async Task A_container_namespace_is_made_fresh_and_detach_removes_it()
    {
        var net = _lab.Manager();
        var target = await net.CreateContainerNetnsAsync("web");
        var path = net.ContainerNetnsPath("web");
        _made.Add(Path.GetFileName(path));
        File.Exists(path).ShouldBeTrue();
        var a = await net.AttachAsync("web", null, target, []);
        _lab.Ping(_lab.HostNs, a.Address).ShouldBeTrue();

        // A stale one (a crash) is replaced, interfaces and all.
        await net.CreateContainerNetnsAsync("web");
        _lab.Ip(Path.GetFileName(path), "-br", "link").Out.ShouldNotContain("eth0");

        (await net.DetachAsync("web")).ShouldBeTrue();
        File.Exists(path).ShouldBeFalse();
    }
}
