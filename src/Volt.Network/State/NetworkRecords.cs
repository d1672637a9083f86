using System.Text.Json.Serialization;
using Volt.Network.Addressing;

namespace Volt.Network.State;

/// <summary>
/// <c>networks/&lt;name&gt;.json</c>: one Volt network. Fields added after the first release are init properties with
/// defaults, so records written before them still read: <c>Internal</c> (no NAT, no route out), the optional IPv6
/// subnet and gateway, the bridge MTU (0 = the kernel's default, records from before <c>--mtu</c>) and the DNS
/// search domain (<c>&lt;network&gt;.volt</c>).
/// </summary>
public sealed record NetworkRecord(string Name, string Bridge, string Subnet, string Gateway, DateTimeOffset Created)
{
    public bool Internal { get; init; }
    public string? Subnet6 { get; init; }
    public string? Gateway6 { get; init; }
    public int Mtu { get; init; }
    // Getters with fallbacks, not initializers: the source-generated reader assigns every init property (null when absent).
    private readonly string? _searchDomain;
    public string SearchDomain { get => _searchDomain ?? Name + ".volt"; init => _searchDomain = value; }

    [JsonIgnore] public Ipv4Cidr Cidr => Ipv4Cidr.Parse(Subnet);
}

/// <summary><c>networks/&lt;name&gt;.ipam.json</c>: which owner (container) holds which address.</summary>
public sealed record IpamRecord(string Network, string Subnet, SortedDictionary<string, string> Allocations)
{
    /// <summary>Owner → the static address it keeps across leases (compose's <c>ipv4_address</c>); null in older files.</summary>
    public SortedDictionary<string, string>? Pinned { get; init; }
}

/// <summary>Values of <see cref="AttachmentRecord.Kind"/>.</summary>
public static class AttachmentKinds
{
    public const string Container = "container", Vm = "vm";
}

/// <summary>
/// <c>networks/attachments/&lt;workload&gt;@&lt;network&gt;.json</c>: what the network engine set up for one workload on
/// one network (a workload on two networks has two files), written <em>before</em> the host changes so a crash
/// mid-attach can still be cleaned up by Detach, and always by atomic rename inside that one directory (volt-dns
/// watches it). <c>Container</c> is the workload's name (kept under its first name for old readers).
/// <c>Aliases</c> are extra DNS names on this network (compose <c>aliases:</c>/<c>hostname:</c>),
/// <c>Address6</c> the IPv6 address when the network has one, <c>Kind</c> <c>container</c> or <c>vm</c>.
/// Files named <c>&lt;container&gt;.json</c> (one network per container, before multi-network) still read.
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
    DateTimeOffset Created)
{
    // Getters with fallbacks, not initializers: the source-generated reader assigns every init property (null when absent).
    private readonly IReadOnlyList<string>? _aliases;
    private readonly string? _kind;
    public IReadOnlyList<string> Aliases { get => _aliases ?? []; init => _aliases = value; }
    public string? Address6 { get; init; }
    public string Kind { get => _kind ?? AttachmentKinds.Container; init => _kind = value; }
    /// <summary>The interface name inside the workload (<c>eth0</c>, <c>eth1</c>…; a TAP's name for a VM).</summary>
    public string? Interface { get; init; }

    /// <summary>The workload's name (same as <see cref="Container"/>).</summary>
    [JsonIgnore] public string Workload => Container;
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(NetworkRecord))]
[JsonSerializable(typeof(IpamRecord))]
[JsonSerializable(typeof(AttachmentRecord))]
internal sealed partial class NetworkJson : JsonSerializerContext;
