namespace Volt.Network;

public sealed partial class NetworkManager
{
    /// <summary>
    /// Every container name the network engine holds something for: an attachment record, an address lease, or an
    /// nft rule tagged <c>ctr:NAME</c> (what a killed create can leave behind). For the container orphan collector.
    /// </summary>
    public async Task<IReadOnlyList<string>> ContainerOwnersAsync(CancellationToken ct = default)
    {
        var names = new SortedSet<string>(Store.Attachments().Select(a => a.Container), StringComparer.Ordinal);
        foreach (var net in Store.List())
            foreach (var owner in Ipam(net).Allocations().Keys) names.Add(owner);
        var prefix = global::Volt.Network.Host.NftDriver.ContainerComment("");
        foreach (var rule in (await _nft.ListAsync(ct).ConfigureAwait(false)).Rules)
            if (rule.Comment is { } c && c.StartsWith(prefix, StringComparison.Ordinal)) names.Add(c[prefix.Length..]);
        return [.. names];
    }
}
