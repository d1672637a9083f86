using System.Text.Json.Serialization;
using Volt.Network.Addressing;

namespace Volt.Network.State;

/// <summary><c>networks/&lt;name&gt;.json</c>: one Volt network.</summary>
public sealed record NetworkRecord(string Name, string Bridge, string Subnet, string Gateway, DateTimeOffset Created)
{
    [JsonIgnore] public Ipv4Cidr Cidr => Ipv4Cidr.Parse(Subnet);
}

/// <summary><c>networks/&lt;name&gt;.ipam.json</c>: which owner (container) holds which address.</summary>
public sealed record IpamRecord(string Network, string Subnet, SortedDictionary<string, string> Allocations);

/// <summary>
/// <c>networks/attachments/&lt;container&gt;.json</c>: what <c>NetworkManager.AttachAsync</c> set up for one
/// container, written <em>before</em> the host changes so a crash mid-attach can still be cleaned up by Detach.
/// </summary>
public sealed record AttachmentRecord(
    string Container,
    string Network,
    string Bridge,
    string Address,
    int PrefixLength,
    string Gateway,
    string HostVeth,
    string Target,
    IReadOnlyList<PortMapping> Ports,
    DateTimeOffset Created);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(NetworkRecord))]
[JsonSerializable(typeof(IpamRecord))]
[JsonSerializable(typeof(AttachmentRecord))]
internal sealed partial class NetworkJson : JsonSerializerContext;
