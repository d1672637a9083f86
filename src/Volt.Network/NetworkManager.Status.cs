namespace Volt.Network;

public sealed partial class NetworkManager
{
    /// <summary>Every Volt network's bridge as <c>ip -j addr</c> reports it, with the interfaces enslaved to it.</summary>
    public async Task<IReadOnlyList<BridgeStatus>> BridgesAsync(CancellationToken ct = default)
    {
        var links = await _links.ListAsync(ct).ConfigureAwait(false);
        return [.. List().Select(net =>
        {
            var link = links.FirstOrDefault(l => l.Name == net.Bridge);
            var keeper = NetNames.Keeper(net.Bridge);
            var ports = links.Where(l => l.Master == net.Bridge && l.Name != keeper).Select(l => l.Name).Order(StringComparer.Ordinal).ToList();
            return link is null
                ? new BridgeStatus(net.Name, net.Bridge, "missing", [], ports)
                : new BridgeStatus(net.Name, net.Bridge, link.State, link.Addresses, ports);
        })];
    }

    /// <summary>Bridges, whether <c>table inet volt</c> exists (and its rule count), <c>ip_forward</c>, and every lease.</summary>
    public async Task<NetStatus> StatusAsync(CancellationToken ct = default)
    {
        var bridges = await BridgesAsync(ct).ConfigureAwait(false);
        var table = await _nft.ListAsync(ct).ConfigureAwait(false);
        var forward = await Host.ReadSysctlAsync("net.ipv4.ip_forward", ct).ConfigureAwait(false);
        var leases = List()
            .SelectMany(n => Ipam(n).Allocations().Select(a => new Allocation(n.Name, a.Key, a.Value)))
            .ToList();
        return new NetStatus(bridges, table.Present, table.Rules.Count, forward is null ? null : forward == "1", leases);
    }
}

public sealed partial class NetworkManager
{
    /// <summary>
    /// <c>volt net status</c> per network: bridge and its state, subnet, gateway, the DNS listener (volt-dns answers
    /// on the gateway address, port 53), workloads with their addresses, whether NAT is on (not for internal
    /// networks, and only while its masquerade rule is in the table), and how many rules of the table are the network's.
    /// </summary>
    public async Task<IReadOnlyList<NetworkStatus>> NetworkStatusAsync(CancellationToken ct = default)
    {
        var bridges = await BridgesAsync(ct).ConfigureAwait(false);
        var table = await _nft.ListAsync(ct).ConfigureAwait(false);
        var attachments = Store.Attachments();
        var rules = Firewall.Rules();
        return [.. List().Select(n =>
        {
            var comment = global::Volt.Network.Host.NftDriver.NetworkComment(n.Name);
            var own = table.Rules.Count(r => r.Comment == comment);
            // Rules that name the network or one of its workloads count too.
            var members = attachments.Where(a => a.Network == n.Name).ToList();
            var names = members.Select(m => m.Container).ToHashSet(StringComparer.Ordinal);
            var named = rules.Count(r => new[] { r.Source, r.Destination }.Any(e =>
                (e.Kind == global::Volt.Network.Firewall.EndpointKind.Network && e.Value == n.Name) || (e.Kind == global::Volt.Network.Firewall.EndpointKind.Workload && names.Contains(e.Value))));
            return new NetworkStatus(n.Name, n.Bridge, bridges.FirstOrDefault(b => b.Network == n.Name)?.State ?? "missing",
                n.Subnet, n.Gateway, n.Subnet6, $"{n.Gateway}:53",
                Nat: !n.Internal && table.Rules.Any(r => r.Chain == "postrouting" && r.Comment == comment),
                n.Internal, n.Mtu,
                [.. members.Select(m => new NetworkStatusWorkload(m.Container, m.Kind, m.Address, m.Address6, m.Interface, m.Aliases))],
                own + named);
        })];
    }
}
