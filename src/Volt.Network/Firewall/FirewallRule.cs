using System.Globalization;
using System.Net;
using System.Text.Json.Serialization;
using Volt.Core.Errors;

namespace Volt.Network.Firewall;

/// <summary>What one side of a rule names: a workload, a network, a CIDR, the host itself, or anything.</summary>
public enum EndpointKind { Any, Host, Cidr, Network, Workload }

/// <summary>
/// One side of a firewall rule, stored as text: <c>any</c>, <c>host</c>, <c>cidr:10.1.0.0/16</c>,
/// <c>network:back</c>, <c>workload:web</c>. Parsed from the user's word by <c>NetworkManager.AddRuleAsync</c>.
/// </summary>
public sealed record FirewallEndpoint(EndpointKind Kind, string Value)
{
    public static readonly FirewallEndpoint AnyEndpoint = new(EndpointKind.Any, "any");
    public static readonly FirewallEndpoint HostEndpoint = new(EndpointKind.Host, "host");

    public override string ToString() => Kind switch
    {
        EndpointKind.Any => "any",
        EndpointKind.Host => "host",
        EndpointKind.Cidr => "cidr:" + Value,
        EndpointKind.Network => "network:" + Value,
        _ => "workload:" + Value,
    };

    public static FirewallEndpoint FromStored(string text)
    {
        if (text == "any") return AnyEndpoint;
        if (text == "host") return HostEndpoint;
        var colon = text.IndexOf(':');
        if (colon > 0)
        {
            var (kind, value) = (text[..colon], text[(colon + 1)..]);
            switch (kind)
            {
                case "cidr": return new(EndpointKind.Cidr, value);
                case "network": return new(EndpointKind.Network, value);
                case "workload": return new(EndpointKind.Workload, value);
            }
        }
        throw new VoltException(ExitCode.InvalidConfig, $"corrupt firewall endpoint \"{text}\"");
    }

    /// <summary>An IPv4 CIDR or a single IPv4 address (as /32), normalised; null when <paramref name="text"/> is neither.</summary>
    public static string? TryCidr(string text)
    {
        var slash = text.IndexOf('/');
        var addrText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addrText, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || addrText.Count(c => c == '.') != 3) return null;
        var prefix = 32;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > 32))
            throw VoltException.Usage($"invalid CIDR \"{text}\"");
        var bytes = ip.GetAddressBytes();
        var value = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        value &= mask;
        return $"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}/{prefix}";
    }
}

/// <summary>
/// One named rule (<c>volt firewall add</c>), kept in <c>networks/firewall/rules.json</c> in the order added (first match
/// wins). <c>Port</c> null = every port; <c>Protocol</c> tcp, udp, or null (both, when a port is given).
/// </summary>
public sealed record FirewallRule(string Name, string From, string To, int? Port, string? Protocol, string Action, DateTimeOffset Created)
{
    /// <summary>True when the rule was accepted with <c>--pending</c> for a workload that did not exist yet.</summary>
    public bool Pending { get; init; }

    [JsonIgnore] public FirewallEndpoint Source => FirewallEndpoint.FromStored(From);
    [JsonIgnore] public FirewallEndpoint Destination => FirewallEndpoint.FromStored(To);

    /// <summary>Parses <c>--port N[/tcp|udp]</c>.</summary>
    public static (int Port, string? Protocol) ParsePort(string text)
    {
        var (num, proto) = text.IndexOf('/') is var s and >= 0 ? (text[..s], text[(s + 1)..].ToLowerInvariant()) : (text, null);
        if (proto is not (null or "tcp" or "udp")) throw VoltException.Usage($"invalid --port \"{text}\": protocol must be tcp or udp");
        if (!int.TryParse(num, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw VoltException.Usage($"invalid --port \"{text}\": expected N[/tcp|udp] with N from 1 to 65535");
        return (port, proto);
    }

    public string PortText => Port is null ? "any" : Protocol is null ? $"{Port}" : $"{Port}/{Protocol}";
}

/// <summary><c>networks/firewall/rules.json</c>.</summary>
public sealed record FirewallFile(IReadOnlyList<FirewallRule> Rules);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(FirewallFile))]
internal sealed partial class FirewallJson : JsonSerializerContext;
