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

    public override JsonNode Show() => new JsonObject { ["bridge"] = Bridge, ["subnet"] = Subnet };

    public override void Bind(ConfigBinder b, YamlNode value) => b.Map(value, "network.", new()
    {
        ["bridge"] = v => Bridge = Interface(b, v, "network.bridge") ?? Bridge,
        ["subnet"] = v => Subnet = Ipv4Subnet(b, v, "network.subnet") ?? Subnet,
    });

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
