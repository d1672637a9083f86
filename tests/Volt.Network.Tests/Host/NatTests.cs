using Shouldly;
using Volt.Network.Addressing;
using Volt.Network.Host;
using Xunit;

namespace Volt.Network.Tests.Host;

/// <summary>Outbound masquerade and udp DNAT, end to end through real packets.</summary>
public sealed class NatTests : IDisposable
{
    private readonly NetnsLab _lab = new();

    public void Dispose() => _lab.Dispose();

    [Fact]
    public async Task Outbound_traffic_leaves_masqueraded_as_the_hosts_uplink_address()
    {
        // An "outside" namespace behind an uplink veth of the lab's host namespace.
        var outside = _lab.AddNamespace("out");
        NetnsLab.Must("ip", "-n", _lab.HostNs, "link", "add", "uplink", "type", "veth", "peer", "name", "wan", "netns", outside);
        NetnsLab.Must("ip", "-n", _lab.HostNs, "addr", "add", "192.168.99.2/24", "dev", "uplink");
        NetnsLab.Must("ip", "-n", _lab.HostNs, "link", "set", "uplink", "up");
        NetnsLab.Must("ip", "-n", outside, "addr", "add", "192.168.99.1/24", "dev", "wan");
        NetnsLab.Must("ip", "-n", outside, "link", "set", "wan", "up");
        NetnsLab.Must("ip", "-n", outside, "link", "set", "lo", "up");
        // The outside server says who connected; it has no route to 10.0.0.0/24, so only NAT lets replies through.
        var code = "import socket\ns=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n" +
                   "s.bind(('0.0.0.0',9000)); s.listen(4)\nwhile True:\n  c,a=s.accept(); c.sendall(a[0].encode()); c.close()\n";
        _lab.StartProcess([.. NetnsLab.In(outside), NetnsLab.Python, "-c", code]);
        NetnsLab.WaitFor(() => NetnsLab.RunIn(outside, "ss", "-Hltn", "sport = :9000").Out.Contains("LISTEN"), "outside listener");

        var ctr = _lab.AddNamespace("c1");
        await _lab.Manager().AttachAsync("web", null, new NetnsTarget.Named(ctr), []);
        _lab.Fetch(ctr, "192.168.99.1", 9000).ShouldBe("192.168.99.2");
    }

    [Fact]
    public async Task Udp_publish_reaches_a_udp_server_in_the_container()
    {
        var ctr = _lab.AddNamespace("c1");
        var a = await _lab.Manager().AttachAsync("dns", null, new NetnsTarget.Named(ctr), [PortMapping.Parse("15353:53/udp")]);
        var server = "import socket\ns=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.bind(('0.0.0.0',53))\n" +
                     "while True:\n  d,p=s.recvfrom(100); s.sendto(b'pong '+d, p)\n";
        _lab.StartProcess([.. NetnsLab.In(ctr), NetnsLab.Python, "-c", server]);
        NetnsLab.WaitFor(() => NetnsLab.RunIn(ctr, "ss", "-Hlun", "sport = :53").Out.Contains("53"), "udp server");

        var client = "import socket\ns=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)\n" +
                     "for i in range(5):\n  s.sendto(b'ping', ('127.0.0.1',15353))\n  try:\n    print(s.recv(100).decode()); break\n  except socket.timeout: pass\n";
        NetnsLab.RunIn(_lab.HostNs, NetnsLab.Python, "-c", client).Out.Trim().ShouldBe("pong ping");
        _lab.NftTable().ShouldContain($"udp dport 15353 dnat ip to {a.Address}:53");
    }
}
