using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Volt.Core.Config;
using YamlDotNet.RepresentationModel;

namespace Volt.Network;

/// <summary><c>network:</c> in config.yaml: the default network (<c>volt0</c>) containers join when none is named; see docs/networking.md.</summary>
public sealed class NetworkConfig : ConfigSection
{
    public override string Key => "network";

    /// <summary>Linux bridge of the default network (at most 15 characters).</summary>
    public string Bridge { get; set; } = "volt0";
    /// <summary>IPv4 subnet of the default network; the bridge gets its first host address.</summary>
    public string Subnet { get; set; } = "10.0.0.0/24";
    /// <summary>The network a container joins without <c>--network</c> (the seed's <c>volt0</c>), or <c>none</c>.
    /// The environment variable <c>VOLT_NETWORK_DEFAULT</c> overrides it (the test suites set <c>none</c>, so they
    /// never create a bridge in the host's namespace).</summary>
    public string Default { get; set; } = NetNames.DefaultNetwork;

    /// <summary><see cref="Default"/> after the environment override; null = none.</summary>
    public string? EffectiveDefault =>
        (Environment.GetEnvironmentVariable("VOLT_NETWORK_DEFAULT") is { Length: > 0 } e ? e : Default) is var d && d == "none" ? null : d;

    public override JsonNode Show() => new JsonObject { ["bridge"] = Bridge, ["subnet"] = Subnet, ["default"] = Default };

    public override void Bind(ConfigBinder b, YamlNode value) => b.Map(value, "network.", new()
    {
        ["bridge"] = v => Bridge = Interface(b, v, "network.bridge") ?? Bridge,
        ["subnet"] = v => Subnet = Ipv4Subnet(b, v, "network.subnet") ?? Subnet,
        ["default"] = v => Default = DefaultName(b, v) ?? Default,
    });

    private static string? DefaultName(ConfigBinder b, YamlNode n)
    {
        var v = b.Str(n, "network.default");
        if (v is null || v == "none" || (v.Length is > 0 and <= NetNames.MaxNetworkName && v.All(ch => char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch == '-'))) return v;
        b.Add(n, $"network.default is \"{v}\"; expected a network name or none");
        return null;
    }

    private static string? Interface(ConfigBinder b, YamlNode n, string key)
    {
        var v = b.Str(n, key);
        if (v is null || (v.Length <= 15 && v.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'))) return v;
        b.Add(n, $"{key} is \"{v}\"; expected an interface name of 1-15 letters, digits, '-', '_', '.'");
        return null;
    }

    private static string? Ipv4Subnet(ConfigBinder b, YamlNode n, string key)
    {
        var v = b.Str(n, key);
        if (v is null) return null;
        if (IPNetwork.TryParse(v, out var net) && net.BaseAddress.AddressFamily == AddressFamily.InterNetwork
            && net.PrefixLength is >= 8 and <= 29 && v.StartsWith(net.BaseAddress + "/", StringComparison.Ordinal)) return v;
        b.Add(n, $"{key} is \"{v}\"; expected an IPv4 subnet like 10.0.0.0/24 (prefix /8 to /29, host bits zero)");
        return null;
    }
}
