using System.Text.Json.Nodes;
using Shouldly;
using Volt.Core.Errors;
using Volt.Network.Host;
using Xunit;

namespace Volt.Network.Tests.Host;

/// <summary>A workload on several networks, and <c>volt net create</c>'s options, in the lab's namespaces.</summary>
public sealed class MultiNetworkTests : IDisposable
{
    private readonly NetnsLab _lab = new();

    public void Dispose() => _lab.Dispose();

    [Fact]
    public async Task A_second_network_adds_eth1_inside_and_disconnect_takes_only_it_away()
    {
        var m = _lab.Manager();
        await m.CreateAsync("a", "10.1.0.0/24");
        await m.CreateAsync("b", "10.2.0.0/24");
        var (c1, c2) = (_lab.AddNamespace("c1"), _lab.AddNamespace("c2"));
        var first = await m.AttachAsync("web", "a", new NetnsTarget.Named(c1), []);
        var second = await m.AttachAsync("web", "b", new NetnsTarget.Named(c1), [], ["www"]);
        var peer = await m.AttachAsync("db", "b", new NetnsTarget.Named(c2), []);
        (first.Interface, second.Interface).ShouldBe(("eth0", "eth1"));
        _lab.Ip(c1, "-4", "-o", "addr").Out.ShouldSatisfyAllConditions(
            o => o.ShouldContain($"eth0    inet {first.Address}/24"),
            o => o.ShouldContain($"eth1    inet {second.Address}/24"));
        _lab.Ip(c1, "route").Out.ShouldContain("default via 10.1.0.1 dev eth0", customMessage: "the default route stays on the first network");
        m.Store.AttachmentsOf("web").Select(r => r.Network).ShouldBe(["a", "b"], ignoreOrder: true);
        m.Store.TryGetAttachment("web", "b")!.Aliases.ShouldBe(["www"]);
        _lab.Ping(c1, peer.Address).ShouldBeTrue("web reaches db over eth1 on network b");
        (await Should.ThrowAsync<VoltException>(() => m.AttachAsync("web", "b", new NetnsTarget.Named(c1), []))).Code.ShouldBe(ExitCode.AlreadyExists);

        await m.DisconnectAsync("web", "b");
        _lab.LinkExists(c1, "eth1").ShouldBeFalse();
        _lab.LinkExists(c1, "eth0").ShouldBeTrue();
        m.Store.AttachmentsOf("web").ShouldHaveSingleItem().Network.ShouldBe("a");
        m.Ipam(m.Get("b")).Allocations().Keys.ShouldBe(["db"]);
        (await Should.ThrowAsync<VoltException>(() => m.DisconnectAsync("web", "b"))).Code.ShouldBe(ExitCode.NotFound);

        (await m.DetachAsync("web")).ShouldBeTrue();
        m.Store.AttachmentsOf("web").ShouldBeEmpty();
    }

    [Fact]
    public async Task Subnets_that_overlap_a_network_or_a_host_route_are_refused_naming_the_other()
    {
        var m = _lab.Manager();
        await m.CreateAsync("a", "10.1.0.0/24");
        var e = await Should.ThrowAsync<VoltException>(() => m.CreateAsync("b", "10.1.0.0/16"));
        (e.Code, e.Message).ShouldSatisfyAllConditions(() => e.Code.ShouldBe(ExitCode.Conflict), () => e.Message.ShouldContain("\"a\""));

        NetnsLab.Must("ip", "-n", _lab.HostNs, "link", "add", "dum0", "type", "veth", "peer", "name", "dum1");
        NetnsLab.Must("ip", "-n", _lab.HostNs, "addr", "add", "10.70.0.1/24", "dev", "dum0");
        NetnsLab.Must("ip", "-n", _lab.HostNs, "link", "set", "dum0", "up");
        var r = await Should.ThrowAsync<VoltException>(() => m.CreateAsync("c", "10.70.0.0/16"));
        r.Code.ShouldBe(ExitCode.Conflict);
        r.Message.ShouldContain("10.70.0.0/24");
        r.Message.ShouldContain("dum0");
        m.Store.TryGet("c").ShouldBeNull();
        _lab.LinkExists(_lab.HostNs, "volt-c").ShouldBeFalse();
    }

    [Fact]
    public async Task Mtu_defaults_to_the_default_routes_device_and_ipv6_addresses_skip_dad()
    {
        _lab.AddOutside();
        NetnsLab.Must("ip", "-n", _lab.HostNs, "link", "set", "uplink", "mtu", "1450");
        NetnsLab.Must("ip", "-n", _lab.HostNs, "route", "add", "default", "via", "192.168.99.1");
        var m = _lab.Manager();
        var net = await m.CreateAsync("six", "10.4.0.0/24", new NetworkCreateOptions { Subnet6 = "fd00:4::/64" });
        net.Mtu.ShouldBe(1450);
        (net.Subnet6, net.Gateway6, net.SearchDomain).ShouldBe(("fd00:4::/64", "fd00:4::1", "six.volt"));
        JsonNode.Parse(_lab.Ip(_lab.HostNs, "-j", "link", "show", "dev", "volt-six").Out)![0]!["mtu"]!.GetValue<int>().ShouldBe(1450);

        var c1 = _lab.AddNamespace("c1");
        var a = await m.AttachAsync("web", "six", new NetnsTarget.Named(c1), []);
        a.Address6.ShouldBe("fd00:4::2");
        var v6 = _lab.Ip(c1, "-6", "-o", "addr", "show", "dev", "eth0").Out.Split('\n').Single(l => l.Contains("fd00:4::2/64"));
        v6.ShouldNotContain("tentative", customMessage: "nodad: usable at once");
        JsonNode.Parse(_lab.Ip(c1, "-j", "link", "show", "dev", "eth0").Out)![0]!["mtu"]!.GetValue<int>().ShouldBe(1450);
        _lab.Ping(c1, "fd00:4::1").ShouldBeTrue("the gateway answers over IPv6 at once");

        var big = await m.CreateAsync("big", "10.5.0.0/24", new NetworkCreateOptions { Mtu = 1400, Ipv6 = true, Gateway = "10.5.0.254" });
        (big.Mtu, big.Gateway).ShouldBe((1400, "10.5.0.254"));
        big.Gateway6!.ShouldEndWith("::fe");
        big.Subnet6!.ShouldStartWith("fd");
        var c2 = _lab.AddNamespace("c2");
        (await m.AttachAsync("x", "big", new NetnsTarget.Named(c2), [])).Address.ShouldBe("10.5.0.1", "the gateway is not handed out; .1 is free");
    }

    [Fact]
    public async Task Status_lists_each_network_with_its_workloads_nat_dns_and_rules()
    {
        var m = _lab.Manager();
        await m.CreateAsync("int", "10.3.0.0/24", new NetworkCreateOptions { Internal = true });
        var c1 = _lab.AddNamespace("c1");
        var a = await m.AttachAsync("web", null, new NetnsTarget.Named(c1), []);
        await m.AttachAsync("web", "int", new NetnsTarget.Named(c1), []);
        await m.AddRuleAsync("x", "web", "any", "53/udp", "allow", pending: false);
        var s = await m.NetworkStatusAsync();
        var v0 = s.Single(n => n.Name == "volt0");
        (v0.Bridge, v0.BridgeState, v0.Gateway, v0.DnsListener, v0.Nat).ShouldBe(("volt0", "up", "10.0.0.1", "10.0.0.1:53", true));
        v0.Workloads.ShouldHaveSingleItem().Address.ShouldBe(a.Address);
        v0.Rules.ShouldBeGreaterThan(2);
        var i = s.Single(n => n.Name == "int");
        (i.Nat, i.Internal).ShouldBe((false, true));
        i.Workloads.ShouldHaveSingleItem().Interface.ShouldBe("eth1");
    }
}
