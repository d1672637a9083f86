using Shouldly;
using Volt.Core.Errors;
using Volt.Network.Addressing;
using Volt.Network.Host;
using Xunit;

namespace Volt.Network.Tests.Host;

/// <summary>Exit 9 before any change when a port is taken; a forced failure mid-attach undoes every step.</summary>
public sealed class FailureTests : IDisposable
{
    private readonly NetnsLab _lab = new();

    public void Dispose() => _lab.Dispose();

    private void ShouldBeUntouched(NetworkManager net, string container, string ctrNs)
    {
        File.Exists(net.Store.AttachmentFile(container, "volt0")).ShouldBeFalse();
        _lab.LinkExists(_lab.HostNs, NetNames.HostVeth(container)).ShouldBeFalse();
        _lab.LinkExists(ctrNs, "eth0").ShouldBeFalse();
        _lab.NftTable().ShouldNotContain($"ctr:{container}");
        if (File.Exists(net.Store.IpamFile("volt0"))) File.ReadAllText(net.Store.IpamFile("volt0")).ShouldNotContain($"\"{container}\"");
    }

    [Fact]
    public async Task A_port_held_by_a_host_socket_is_exit_9_and_nothing_changes()
    {
        var net = _lab.Manager();
        await net.EnsureDefaultAsync();
        _lab.StartTcpServer(NetnsLab.In(_lab.HostNs), 18081, "host");
        var ctr = _lab.AddNamespace("c1");

        var e = await Should.ThrowAsync<VoltException>(() => net.AttachAsync("web", null, new NetnsTarget.Named(ctr), [PortMapping.Parse("18081:80")]));
        e.Code.ShouldBe(ExitCode.Conflict);
        e.Message.ShouldContain("18081/tcp");
        ShouldBeUntouched(net, "web", ctr);
    }

    [Fact]
    public async Task A_port_published_by_another_container_is_exit_9_and_nothing_changes()
    {
        var net = _lab.Manager();
        await net.AttachAsync("first", null, new NetnsTarget.Named(_lab.AddNamespace("c1")), [PortMapping.Parse("18082:80")]);
        var ctr = _lab.AddNamespace("c2");

        var e = await Should.ThrowAsync<VoltException>(() => net.AttachAsync("second", null, new NetnsTarget.Named(ctr), [PortMapping.Parse("18082:80")]));
        e.Code.ShouldBe(ExitCode.Conflict);
        e.Message.ShouldContain("\"first\"");
        ShouldBeUntouched(net, "second", ctr);
        // the same port over udp is a different port
        await net.AttachAsync("second", null, new NetnsTarget.Named(ctr), [PortMapping.Parse("18082:80/udp")]);
    }

    [Fact]
    public async Task A_failing_nft_step_undoes_every_earlier_step_including_the_new_bridge()
    {
        var runner = new FailingRunner((tool, args, stdin) => args.Contains("nft") && stdin?.Contains("dnat") == true);
        var net = _lab.Manager(runner);
        var ctr = _lab.AddNamespace("c1");

        var e = await Should.ThrowAsync<VoltException>(() => net.AttachAsync("web", null, new NetnsTarget.Named(ctr), [PortMapping.Parse("18083:80")]));
        e.Code.ShouldBe(ExitCode.Network);
        e.Message.ShouldContain("injected failure");
        runner.Failures.ShouldBe(1);
        ShouldBeUntouched(net, "web", ctr);
        // The default network was created by this attach, so it is undone too: no bridge, no NAT, no record.
        _lab.LinkExists(_lab.HostNs, "volt0").ShouldBeFalse();
        _lab.NftTable().ShouldNotContain("net:volt0");
        net.List().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_failure_inside_the_container_namespace_removes_the_veth_and_releases_the_address()
    {
        // A real refusal halfway: the network has IPv6, the container's namespace has IPv6 off for new interfaces, so
        // the kernel takes the veth and the IPv4 address but refuses the IPv6 one (EACCES) — after the veth exists.
        var net = _lab.Manager();
        await net.CreateAsync("six", "10.61.0.0/24", new NetworkCreateOptions { Ipv6 = true });
        var ctr = _lab.AddNamespace("c1");
        NetnsLab.MustIn(ctr, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");

        var e = await Should.ThrowAsync<VoltException>(() => net.AttachAsync("web", "six", new NetnsTarget.Named(ctr), []));
        e.Code.ShouldBe(ExitCode.Network);
        e.Message.ShouldContain("configuring eth0");
        File.Exists(net.Store.AttachmentFile("web", "six")).ShouldBeFalse();
        _lab.LinkExists(_lab.HostNs, NetNames.HostVeth("web")).ShouldBeFalse();
        _lab.LinkExists(ctr, "eth0").ShouldBeFalse();
        _lab.LinkExists(_lab.HostNs, net.Get("six").Bridge).ShouldBeTrue("the bridge existed before this attach and stays");
        net.Ipam(net.Get("six")).Allocations().ShouldBeEmpty();
        net.Store.AttachmentsOf("web").ShouldBeEmpty();
    }

    [Fact]
    public async Task Attaching_to_an_unknown_network_is_exit_3()
    {
        var net = _lab.Manager();
        (await Should.ThrowAsync<VoltException>(() => net.AttachAsync("web", "nope", new NetnsTarget.Named(_lab.AddNamespace("c1")), []))).Code.ShouldBe(ExitCode.NotFound);
    }
}
