using Shouldly;
using Volt.Core.Config;
using Volt.Network;
using Xunit;

namespace Volt.Network.Tests.Unit;

/// <summary><c>network:</c>, the section Volt.Network owns in config.yaml, with its own validators.</summary>
public sealed class NetworkConfigTests
{
    private static readonly ConfigSchema Schema = new ConfigSchema().Add<NetworkConfig>();

    private static NetworkConfig Parse(string yaml) => ConfigLoader.Parse(yaml, "cfg.yaml", Schema).Section<NetworkConfig>();

    [Fact]
    public void Defaults_Volt0On10_0_0_0() => (Parse("").Bridge, Parse("").Subnet).ShouldBe(("volt0", "10.0.0.0/24"));

    [Fact]
    public void Binds_BridgeAndSubnet()
    {
        var c = Parse("network:\n  bridge: br-test.1\n  subnet: 172.20.0.0/16\n");
        (c.Bridge, c.Subnet).ShouldBe(("br-test.1", "172.20.0.0/16"));
    }

    [Theory]
    [InlineData("network:\n  bridge: a-name-longer-than-15\n", "invalid config cfg.yaml:2:11: network.bridge is \"a-name-longer-than-15\"; expected an interface name of 1-15 letters, digits, '-', '_', '.'")]
    [InlineData("network:\n  bridge: 'br 0'\n", "invalid config cfg.yaml:2:11: network.bridge is \"br 0\"; expected an interface name of 1-15 letters, digits, '-', '_', '.'")]
    [InlineData("network:\n  subnet: 10.0.0.1/24\n", "invalid config cfg.yaml:2:11: network.subnet is \"10.0.0.1/24\"; expected an IPv4 subnet like 10.0.0.0/24 (prefix /8 to /29, host bits zero)")]
    [InlineData("network:\n  subnet: 10.0.0.0/30\n", "invalid config cfg.yaml:2:11: network.subnet is \"10.0.0.0/30\"; expected an IPv4 subnet like 10.0.0.0/24 (prefix /8 to /29, host bits zero)")]
    [InlineData("network:\n  subnet: fd00::/64\n", "invalid config cfg.yaml:2:11: network.subnet is \"fd00::/64\"; expected an IPv4 subnet like 10.0.0.0/24 (prefix /8 to /29, host bits zero)")]
    public void BadValues_AreExit12WithPosition(string yaml, string message) =>
        Should.Throw<ConfigException>(() => Parse(yaml)).Message.ShouldBe(message);
}
