using Shouldly;
using Volt.Core.Errors;
using Volt.Network;
using Volt.Network.Addressing;
using Xunit;

namespace Volt.Network.Tests.Unit;

public sealed class AddressingTests
{
    [Fact]
    public void Cidr_parses_and_derives_gateway_hosts_and_broadcast()
    {
        var c = Ipv4Cidr.Parse("10.30.0.0/24");
        c.ToString().ShouldBe("10.30.0.0/24");
        c.GatewayText.ShouldBe("10.30.0.1");
        Ipv4Cidr.Format(c.FirstHost).ShouldBe("10.30.0.2");
        Ipv4Cidr.Format(c.LastHost).ShouldBe("10.30.0.254");
        Ipv4Cidr.Format(c.Broadcast).ShouldBe("10.30.0.255");
        c.Capacity.ShouldBe(253);
    }

    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.128/25", true)]
    [InlineData("10.0.0.0/16", "10.0.200.0/24", true)]
    [InlineData("10.0.0.0/24", "10.0.1.0/24", false)]
    [InlineData("192.168.0.0/29", "192.168.0.8/29", false)]
    public void Overlap_is_symmetric(string a, string b, bool overlaps)
    {
        Ipv4Cidr.Parse(a).Overlaps(Ipv4Cidr.Parse(b)).ShouldBe(overlaps);
        Ipv4Cidr.Parse(b).Overlaps(Ipv4Cidr.Parse(a)).ShouldBe(overlaps);
    }

    [Theory]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0/24")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/30")]
    [InlineData("10.0.0.0/7")]
    [InlineData("10.0.0.5/24")]
    [InlineData("fd00::/64")]
    [InlineData("300.0.0.0/24")]
    [InlineData("10.0.0.0/+24")]
    public void Bad_cidrs_are_usage_errors(string text)
    {
        Should.Throw<VoltException>(() => Ipv4Cidr.Parse(text)).Code.ShouldBe(ExitCode.Usage);
    }

    [Fact]
    public void Host_bits_error_suggests_the_network()
    {
        Should.Throw<VoltException>(() => Ipv4Cidr.Parse("10.30.0.7/24")).Message.ShouldContain("did you mean 10.30.0.0/24");
    }

    [Theory]
    [InlineData("8080:80", 8080, 80, "tcp")]
    [InlineData("8080:80/tcp", 8080, 80, "tcp")]
    [InlineData("5353:53/UDP", 5353, 53, "udp")]
    [InlineData(" 1:65535 ", 1, 65535, "tcp")]
    public void Port_mappings_parse(string text, int host, int ctr, string proto)
    {
        PortMapping.Parse(text).ShouldBe(new PortMapping(host, ctr, proto));
    }

    [Fact]
    public void A_port_published_on_one_address_keeps_it()
    {
        var p = PortMapping.Parse("127.0.0.1:8080:80/udp");
        (p.HostIp, p.HostPort, p.ContainerPort, p.Protocol).ShouldBe(("127.0.0.1", 8080, 80, "udp"));
        p.ToString().ShouldBe("127.0.0.1:8080:80/udp");
        PortMapping.Parse("8080:80").HostIp.ShouldBeNull();
    }

    [Theory]
    [InlineData("80")]
    [InlineData("8080:")]
    [InlineData(":80")]
    [InlineData("0:80")]
    [InlineData("70000:80")]
    [InlineData("8080:80/sctp")]
    [InlineData("1.2.3:8080:80")]
    [InlineData("::1:8080:80")]
    [InlineData("a:b")]
    [InlineData("-1:80")]
    public void Bad_port_mappings_are_usage_errors(string text)
    {
        Should.Throw<VoltException>(() => PortMapping.Parse(text)).Code.ShouldBe(ExitCode.Usage);
    }

    [Fact]
    public void Same_host_port_twice_is_a_usage_error_but_tcp_and_udp_may_share()
    {
        Should.Throw<VoltException>(() => PortMapping.ParseAll(["8080:80", "8080:81"])).Code.ShouldBe(ExitCode.Usage);
        PortMapping.ParseAll(["53:53/tcp", "53:53/udp"]).Count.ShouldBe(2);
    }

    [Theory]
    [InlineData("backend", true)]
    [InlineData("a", true)]
    [InlineData("db-1", true)]
    [InlineData("abcdefghij", true)]
    [InlineData("abcdefghijk", false)]
    [InlineData("Back", false)]
    [InlineData("-x", false)]
    [InlineData("a b", false)]
    [InlineData("", false)]
    [InlineData("../x", false)]
    public void Network_names_fit_the_interface_name_limit(string name, bool ok)
    {
        if (ok)
        {
            NetNames.ValidateNetwork(name);
            NetNames.BridgeFor(name).Length.ShouldBeLessThanOrEqualTo(15);
        }
        else Should.Throw<VoltException>(() => NetNames.ValidateNetwork(name)).Code.ShouldBe(ExitCode.Usage);
    }

    [Fact]
    public void Host_veth_names_are_stable_short_and_distinct()
    {
        NetNames.HostVeth("web").ShouldBe(NetNames.HostVeth("web"));
        NetNames.HostVeth("web").ShouldNotBe(NetNames.HostVeth("web2"));
        NetNames.HostVeth(new string('x', 128)).Length.ShouldBe(13);
        NetNames.HostVeth("web").ShouldStartWith("vh-");
    }
}
