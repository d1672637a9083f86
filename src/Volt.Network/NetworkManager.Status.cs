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
            var ports = links.Where(l => l.Master == net.Bridge).Select(l => l.Name).Order(StringComparer.Ordinal).ToList();
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
