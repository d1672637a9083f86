using Volt.Network.State;

namespace Volt.Network;

public sealed partial class NetworkManager
{
    /// <summary>
    /// Every container name the network engine holds something for: an attachment record, an address lease, or an
    /// nft rule tagged <c>ctr:NAME</c> (what a killed create can leave behind). For the container orphan collector.
    /// A VM's TAP attachment and its lease are not a container's: voltd collected them at every start (the VM lost its
    /// network and its DNS name, "db" of the seed's api → db example) until they were left out here.
    /// </summary>
    public async Task<IReadOnlyList<string>> ContainerOwnersAsync(CancellationToken ct = default)
    {
        var attachments = Store.Attachments();
        var vms = new HashSet<string>(attachments.Where(a => a.Kind == AttachmentKinds.Vm).Select(a => a.Container), StringComparer.Ordinal);
        var names = new SortedSet<string>(attachments.Where(a => a.Kind != AttachmentKinds.Vm).Select(a => a.Container), StringComparer.Ordinal);
        foreach (var net in Store.List())
            foreach (var owner in Ipam(net).Allocations().Keys)
                if (!vms.Contains(owner)) names.Add(owner);
        var prefix = global::Volt.Network.Host.NftDriver.ContainerComment("");
        foreach (var rule in (await _nft.ListAsync(ct).ConfigureAwait(false)).Rules)
            if (rule.Comment is { } c && c.StartsWith(prefix, StringComparison.Ordinal) && !vms.Contains(c[prefix.Length..])) names.Add(c[prefix.Length..]);
        foreach (var owner in ContainerNetnsOwners())
            if (!vms.Contains(owner)) names.Add(owner);
        return [.. names];
    }
}
