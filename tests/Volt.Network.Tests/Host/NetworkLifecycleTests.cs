using Shouldly;
using Volt.Core.Errors;
using Volt.Network.Host;
using Xunit;

namespace Volt.Network.Tests.Host;

/// <summary>Network create/delete through the engine, against the real ip and nft in a private namespace.</summary>
public sealed class NetworkLifecycleTests : IDisposable
{
    private readonly NetnsLab _lab = new();

    public void Dispose() => _lab.Dispose();

    [Fact]
    public async Task Create_makes_bridge_address_and_nat_and_delete_removes_them_all()
    {
        var net = _lab.Manager();
        var n = await net.CreateAsync("backend", "10.30.0.0/24");
        n.Bridge.ShouldBe("volt-backend");
        n.Gateway.ShouldBe("10.30.0.1");
        _lab.Ip(_lab.HostNs, "-br", "addr", "show", "dev", "volt-backend").Out.ShouldContain("10.30.0.1/24");
        _lab.NftTable().ShouldContain("ip saddr 10.30.0.0/24 oifname != \"volt-backend\" masquerade comment \"net:backend\"");
        (await net.BridgesAsync()).Single().State.ShouldBe("up");
        (await net.BridgesAsync()).Single().Ports.ShouldBeEmpty(); // its keeper is not a workload's port
        _lab.Ip(_lab.HostNs, "-br", "link", "show", "dev", "volt-backend").Out.ShouldContain("LOWER_UP"); // a carrier with no workload

        var a = await net.AttachAsync("db", "backend", new NetnsTarget.Named(_lab.AddNamespace("c1")), []);
        a.Address.ShouldBe("10.30.0.2");
        (await Should.ThrowAsync<VoltException>(() => net.DeleteAsync("backend"))).Code.ShouldBe(ExitCode.Conflict);

        await net.DetachAsync("db");
        await net.DeleteAsync("backend");
        _lab.LinkExists(_lab.HostNs, "volt-backend").ShouldBeFalse();
        _lab.LinkExists(_lab.HostNs, NetNames.Keeper("volt-backend")).ShouldBeFalse();
        _lab.LinkExists(_lab.HostNs, NetNames.KeeperPeer("volt-backend")).ShouldBeFalse();
        NetnsLab.RunIn(_lab.HostNs, "nft", "list", "tables").Out.ShouldNotContain("volt");
        File.Exists(net.Store.NetworkFile("backend")).ShouldBeFalse();
        File.Exists(net.Store.IpamFile("backend")).ShouldBeFalse();
    }

    [Fact]
    public async Task An_address_handed_to_a_new_workload_keeps_its_mac_so_a_peer_that_knew_the_old_one_reaches_it_at_once()
    {
        var net = _lab.Manager();
        await net.CreateAsync("reuse", "10.31.0.0/24");
        var first = await net.AttachAsync("one", "reuse", new NetnsTarget.Named(_lab.AddNamespace("r1")), []);
        _lab.Ping(_lab.HostNs, first.Address).ShouldBeTrue(); // the bridge side now has an ARP entry for the address
        var mac = _lab.Ip(_lab.HostNs, "neigh", "show", first.Address, "dev", "volt-reuse").Out;
        mac.ShouldContain(LinkDriver.MacFor(first.Address));
        await net.DetachAsync("one");

        var r2 = _lab.AddNamespace("r2");
        var second = await net.AttachAsync("two", "reuse", new NetnsTarget.Named(r2), []);
        second.Address.ShouldBe(first.Address);
        // The host's entry, learned for the first workload, names the new one's MAC: with a fresh random MAC it would
        // send to the gone veth until the entry is probed again, seconds later. (Not a one-packet ping with a 1 s reply
        // deadline: that measured CI's load as much as the MAC, and failed there once.)
        _lab.Ip(_lab.HostNs, "neigh", "show", second.Address, "dev", "volt-reuse").Out.ShouldContain(LinkDriver.MacFor(second.Address));
        _lab.Ip(r2, "-br", "link", "show", "dev", "eth0").Out.ShouldContain(LinkDriver.MacFor(second.Address));
        _lab.Ping(_lab.HostNs, second.Address).ShouldBeTrue();
    }

    [Fact]
    public async Task The_gateway_keeps_its_mac_as_workloads_come_and_go_so_a_peer_that_knew_it_still_reaches_it()
    {
        // Without a MAC of its own the bridge took its lowest port's and changed it when that port left: compose's
        // start-first switch removed the old instance, and the client's DNS queries to the gateway went to the gone
        // veth's MAC ("wget: bad address" 1 run in ~10).
        var net = _lab.Manager();
        var rec = await net.CreateAsync("steady", "10.32.0.0/24");
        string Mac() => _lab.Ip(_lab.HostNs, "-br", "link", "show", "volt-steady").Out.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];
        Mac().ShouldBe(LinkDriver.MacFor(rec.Gateway));
        var peerNs = _lab.AddNamespace("s1");
        var peer = await net.AttachAsync("peer", "steady", new NetnsTarget.Named(peerNs), []);
        var others = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var name = "other" + i;
            await net.AttachAsync(name, "steady", new NetnsTarget.Named(_lab.AddNamespace("s" + (i + 2))), []);
            others.Add(name);
        }
        _lab.Ping(peerNs, rec.Gateway).ShouldBeTrue(); // the peer now has an ARP entry for the gateway
        foreach (var o in others) await net.DetachAsync(o);
        Mac().ShouldBe(LinkDriver.MacFor(rec.Gateway));
        // Its entry still names the bridge's MAC, which answers.
        _lab.Ip(peerNs, "neigh", "show", rec.Gateway, "dev", "eth0").Out.ShouldContain(LinkDriver.MacFor(rec.Gateway));
        _lab.Ping(peerNs, rec.Gateway).ShouldBeTrue();
        await net.DetachAsync("peer");
        Mac().ShouldBe(LinkDriver.MacFor(rec.Gateway)); // not all zeros with no port left
    }

    [Fact]
    public async Task A_bridge_an_older_volt_made_without_a_mac_of_its_own_gets_one_when_a_workload_joins()
    {
        var net = _lab.Manager();
        var rec = await net.CreateAsync("legacy", "10.33.0.0/24");
        // As bridges were made before they had an address of their own: no `address`, so it follows its ports.
        _lab.Ip(_lab.HostNs, "link", "del", "volt-legacy").Code.ShouldBe(0);
        _lab.Ip(_lab.HostNs, "link", "add", "name", "volt-legacy", "type", "bridge", "forward_delay", "0", "stp_state", "0").Code.ShouldBe(0);
        string Mac() => _lab.Ip(_lab.HostNs, "-br", "link", "show", "volt-legacy").Out.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];
        Mac().ShouldNotBe(LinkDriver.MacFor(rec.Gateway));
        await net.AttachAsync("joiner", "legacy", new NetnsTarget.Named(_lab.AddNamespace("l1")), []);
        Mac().ShouldBe(LinkDriver.MacFor(rec.Gateway));
        // Its keeper too: the one made with the first bridge was freed, not deleted, with it and is made anew on this one.
        _lab.Ip(_lab.HostNs, "-br", "link", "show", "master", "volt-legacy").Out.ShouldContain(NetNames.Keeper("volt-legacy"));
        await net.DetachAsync("joiner");
        Mac().ShouldBe(LinkDriver.MacFor(rec.Gateway), "set explicitly, it no longer follows the ports");
    }

    [Fact]
    public void A_workloads_mac_is_locally_administered_unicast_and_spells_its_address()
    {
        LinkDriver.MacFor("10.0.0.2").ShouldBe("02:76:0a:00:00:02");
        LinkDriver.MacFor("192.168.255.254").ShouldBe("02:76:c0:a8:ff:fe");
    }

    [Fact]
    public async Task Bad_name_cidr_duplicate_and_overlap_map_to_2_4_and_9()
    {
        var net = _lab.Manager();
        await net.CreateAsync("a", "10.40.0.0/16");
        (await Should.ThrowAsync<VoltException>(() => net.CreateAsync("Bad_Name", "10.41.0.0/24"))).Code.ShouldBe(ExitCode.Usage);
        (await Should.ThrowAsync<VoltException>(() => net.CreateAsync("b", "10.41.0.0/33"))).Code.ShouldBe(ExitCode.Usage);
        (await Should.ThrowAsync<VoltException>(() => net.CreateAsync("a", "10.42.0.0/24"))).Code.ShouldBe(ExitCode.AlreadyExists);
        (await Should.ThrowAsync<VoltException>(() => net.CreateAsync("b", "10.40.7.0/24"))).Code.ShouldBe(ExitCode.Conflict);
        (await Should.ThrowAsync<VoltException>(() => net.DeleteAsync("nope"))).Code.ShouldBe(ExitCode.NotFound);
        net.List().Select(x => x.Name).ShouldBe(["a"]);
        _lab.LinkExists(_lab.HostNs, "volt-b").ShouldBeFalse();
    }

    [Fact]
    public async Task The_default_network_uses_the_configured_subnet_and_comes_back_after_its_bridge_is_lost()
    {
        var net = _lab.Manager(subnet: "10.88.0.0/24");
        var d = await net.EnsureDefaultAsync();
        d.Name.ShouldBe("volt0");
        d.Gateway.ShouldBe("10.88.0.1");
        _lab.Ip(_lab.HostNs, "link", "del", "volt0");             // as after a reboot
        await net.EnsureDefaultAsync();
        _lab.Ip(_lab.HostNs, "-br", "addr", "show", "dev", "volt0").Out.ShouldContain("10.88.0.1/24");
        _lab.NftTable().Split("net:volt0").Length.ShouldBe(4); // the two NAT rules and the forward accept, not duplicated
    }
}
