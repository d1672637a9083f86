using Shouldly;
using Volt.Network.Addressing;
using Volt.Network.Host;
using Volt.Network.State;
using Xunit;

namespace Volt.Network.Tests.Host;

/// <summary>A VM's TAP attach (NetworkManager.Tap.cs) against the real ip and nft, inside namespaces the test creates.</summary>
public sealed class TapAttachTests : IDisposable
{
    private readonly NetnsLab _lab = new();

    public void Dispose() => _lab.Dispose();

    [Fact]
    public async Task AVmsTap_LeaseAndPorts_AreNotContainerOrphans_ForVoltdsCollector()
    {
        var ctr = _lab.AddNamespace("c1");
        var net = _lab.Manager();
        await net.AttachAsync("web", null, new NetnsTarget.Named(ctr), []);
        await net.AttachTapAsync("db", null, [PortMapping.Parse("5432:5432")]);
        // voltd's container orphan collector detaches every owner listed here that has no container record: a VM's
        // attachment (its network and its DNS record) must not be one of them.
        (await net.ContainerOwnersAsync()).ShouldBe(["web"]);
        net.Store.Attachments().Select(a => a.Container).ShouldBe(["db", "web"]);
    }

    [Fact]
    public async Task AVmsTap_JoinsTheBridge_WithAnIpamAddress_AKindVmRecord_AndPublishedPorts_AndDetachLeavesNothing()
    {
        var ctr = _lab.AddNamespace("c1");
        var net = _lab.Manager();
        var c = await net.AttachAsync("web", null, new NetnsTarget.Named(ctr), []);
        var t = await net.AttachTapAsync("vm1", null, [PortMapping.Parse("8080:80")]);

        t.Tap.ShouldBe(NetworkManager.TapName("vm1"));
        t.Tap.Length.ShouldBeLessThanOrEqualTo(15);
        t.Bridge.ShouldBe("volt0");
        t.Address.ShouldNotBe(c.Address);
        t.Address.ShouldStartWith("10.0.0.");
        t.Gateway.ShouldBe("10.0.0.1");
        _lab.Ip(_lab.HostNs, "-br", "link", "show", "master", "volt0").Out.ShouldContain(t.Tap);
        _lab.Ip(_lab.HostNs, "-d", "link", "show", "dev", t.Tap).Out.ShouldContain("tun type tap");
        var rec = net.Store.Attachments().Single(a => a.Container == "vm1");
        rec.Kind.ShouldBe(AttachmentKinds.Vm);
        rec.Interface.ShouldBe(t.Tap);
        rec.Address.ShouldBe(t.Address);
        _lab.NftTable().ShouldContain("ctr:vm1");
        _lab.NftTable().ShouldContain(t.Address);

        // A restart of the VM's QEMU: the same TAP and address.
        (await net.AttachTapAsync("vm1", null, [PortMapping.Parse("8080:80")])).ShouldBe(t);

        (await net.DetachTapAsync("vm1")).ShouldBeTrue();
        _lab.LinkExists(_lab.HostNs, t.Tap).ShouldBeFalse();
        _lab.NftTable().ShouldNotContain("ctr:vm1");
        File.ReadAllText(net.Store.IpamFile("volt0")).ShouldNotContain("vm1");
        net.Store.Attachments().ShouldNotContain(a => a.Container == "vm1");
        net.Store.Attachments().ShouldContain(a => a.Container == "web");
        (await net.DetachTapAsync("vm1")).ShouldBeFalse();
    }
}
