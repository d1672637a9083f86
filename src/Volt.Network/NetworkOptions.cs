namespace Volt.Network;

/// <summary>How the engine is set up: the default network's bridge and subnet (config <c>network:</c>), and an
/// optional network namespace every host command runs in (tests; <c>null</c> = the host's own namespace).</summary>
public sealed record NetworkOptions
{
    public string DefaultBridge { get; init; } = "volt0";
    public string DefaultSubnet { get; init; } = "10.0.0.0/24";
    public string? Netns { get; init; }
}

/// <summary>What <see cref="NetworkManager.AttachAsync(string, string?, int, IReadOnlyList{Addressing.PortMapping}, CancellationToken)"/>
/// set up: the container's address and gateway, and the host end of its veth.</summary>
public sealed record Attachment(
    string Container,
    string Network,
    string Bridge,
    string Address,
    int PrefixLength,
    string Gateway,
    string HostVeth,
    IReadOnlyList<Addressing.PortMapping> Ports);

/// <summary>One Volt bridge as the kernel sees it; <c>State</c> is <c>missing</c> when the record has no link.</summary>
public sealed record BridgeStatus(string Network, string Name, string State, IReadOnlyList<string> Addresses, IReadOnlyList<string> Ports);

/// <summary>One IPAM lease.</summary>
public sealed record Allocation(string Network, string Owner, string Address);

/// <summary><c>volt net status</c>: bridges, the nft table, forwarding and every lease.</summary>
public sealed record NetStatus(
    IReadOnlyList<BridgeStatus> Bridges,
    bool NftTablePresent,
    int NftRules,
    bool? IpForward,
    IReadOnlyList<Allocation> Allocations);
