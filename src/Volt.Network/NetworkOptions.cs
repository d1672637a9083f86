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
    IReadOnlyList<Addressing.PortMapping> Ports)
{
    public string? Address6 { get; init; }
    public string Interface { get; init; } = "eth0";
}

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

/// <summary><c>volt net create</c>'s options beyond the subnet: a gateway other than the first host address,
/// <c>--internal</c> (no NAT, no route out), IPv6 (<c>--ipv6</c> picks a ULA /64 from the name's hash; <c>--subnet6</c>
/// names one) and the MTU (null = the host's default-route MTU).</summary>
public sealed record NetworkCreateOptions
{
    public string? Gateway { get; init; }
    public bool Internal { get; init; }
    public bool Ipv6 { get; init; }
    public string? Subnet6 { get; init; }
    public int? Mtu { get; init; }
}

/// <summary>One network's part of <c>volt net status</c>.</summary>
public sealed record NetworkStatus(
    string Name,
    string Bridge,
    string BridgeState,
    string Subnet,
    string Gateway,
    string? Subnet6,
    string DnsListener,
    bool Nat,
    bool Internal,
    int Mtu,
    IReadOnlyList<NetworkStatusWorkload> Workloads,
    int Rules);

/// <summary>A workload on a network: its addresses and interface.</summary>
public sealed record NetworkStatusWorkload(string Name, string Kind, string Address, string? Address6, string? Interface, IReadOnlyList<string> Aliases);
