using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Network.Addressing;
using Volt.Network.Host;
using Volt.Network.State;

namespace Volt.Network;

public sealed partial class NetworkManager
{
    /// <summary>
    /// Connects a running container (its network namespace is that of <paramref name="pid"/>) to a network
    /// (<c>null</c> = the default <c>volt0</c>, created on first need): an address from IPAM, a veth whose host end is
    /// on the bridge and whose peer is <c>eth0</c> inside, a default route via the gateway, and DNAT for
    /// <paramref name="publish"/>. A published port already held (by another container or a host socket) → exit 9
    /// before anything changes; any later failure undoes every earlier step.
    /// </summary>
    public Task<Attachment> AttachAsync(string container, string? network, int pid, IReadOnlyList<PortMapping> publish, CancellationToken ct = default) =>
        AttachAsync(container, network, new NetnsTarget.Pid(pid), publish, ct);

    /// <summary>As above for any namespace target (a named netns from <c>ip netns add</c>: tests and tools).</summary>
    public async Task<Attachment> AttachAsync(string container, string? network, NetnsTarget target, IReadOnlyList<PortMapping> publish, CancellationToken ct = default)
    {
        NetNames.ValidateOwner(container);
        PortMapping.Validate(publish);
        using var _ = FileLock.Exclusive(Store.EngineLock);
        if (Store.TryGetAttachment(container) is { } existing)
            throw VoltException.Exists($"container \"{container}\" is already attached to network \"{existing.Network}\"");
        if (network is not null && network != NetNames.DefaultNetwork && Store.TryGet(network) is null)
            throw VoltException.NotFound($"network \"{network}\" not found");
        CheckPortsFree(container, publish);

        await using var rev = new Reverter();
        try
        {
            var net = network is null or NetNames.DefaultNetwork
                ? await EnsureDefaultLockedAsync(rev, ct).ConfigureAwait(false)
                : Get(network);
            if (network is not null && network != NetNames.DefaultNetwork) await EnsureUpAsync(net, rev, ct).ConfigureAwait(false);

            var ipam = Ipam(net);
            var lease = ipam.Allocate(container);
            if (lease.Fresh) rev.Add($"release {lease.Address}", () => ipam.Release(container));

            var cidr = net.Cidr;
            var record = new AttachmentRecord(container, net.Name, net.Bridge, lease.Address, cidr.PrefixLength, net.Gateway,
                NetNames.HostVeth(container), target.ToString(), publish, _time.GetUtcNow());
            Store.SaveAttachment(record);
            rev.Add("remove attachment record", () => Store.DeleteAttachment(container));

            await _links.CreateVethAsync(record.HostVeth, net.Bridge, target, ct).ConfigureAwait(false);
            rev.Add($"delete veth \"{record.HostVeth}\"", c => _links.DeleteAsync(record.HostVeth, c));
            await _links.ConfigureInsideAsync(target, lease.Address, cidr, ct).ConfigureAwait(false);

            if (publish.Count > 0)
            {
                // One atomic nft script: either every forward exists or none does, so the undo is exact.
                await _nft.AddPortForwardsAsync(container, lease.Address, publish, ct).ConfigureAwait(false);
                rev.Add("remove port forwards", c => _nft.RemoveAsync(NftDriver.ContainerComment(container), c));
            }
            rev.Commit();
            return ToAttachment(record);
        }
        catch (Exception e)
        {
            await rev.RevertAsync(e).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Undoes <see cref="AttachAsync(string, string?, NetnsTarget, IReadOnlyList{PortMapping}, CancellationToken)"/>:
    /// removes the container's nft rules and host veth (tolerating ones already gone, as after the container exited),
    /// releases its address unless <paramref name="releaseAddress"/> is false (a stop that keeps the IP for the next
    /// start), and forgets the attachment. Idempotent; false when there was nothing to remove.
    /// </summary>
    public async Task<bool> DetachAsync(string container, bool releaseAddress = true, CancellationToken ct = default)
    {
        NetNames.ValidateOwner(container);
        using var _ = FileLock.Exclusive(Store.EngineLock);
        var found = false;
        if (Store.TryGetAttachment(container) is { } rec)
        {
            found = true;
            await _nft.RemoveAsync(NftDriver.ContainerComment(container), ct).ConfigureAwait(false);
            await _links.DeleteAsync(rec.HostVeth, ct).ConfigureAwait(false);
        }
        else
        {
            // No record (crashed before writing it, or never attached): still sweep rules that name the container.
            found = await _nft.RemoveAsync(NftDriver.ContainerComment(container), ct).ConfigureAwait(false) > 0;
        }
        if (releaseAddress)
            foreach (var net in Store.List())
                found |= Ipam(net).Release(container);
        Store.DeleteAttachment(container);
        return found;
    }

    public Attachment? GetAttachment(string container) =>
        Store.TryGetAttachment(container) is { } r ? ToAttachment(r) : null;

    private void CheckPortsFree(string container, IReadOnlyList<PortMapping> publish)
    {
        if (publish.Count == 0) return;
        foreach (var other in Store.Attachments())
            foreach (var p in publish)
                if (other.Ports.Any(o => o.HostPort == p.HostPort && o.Protocol == p.Protocol))
                    throw VoltException.Conflict($"host port {p.HostPort}/{p.Protocol} is already published by container \"{other.Container}\"");
        IReadOnlyList<PortMapping> taken;
        try { taken = PortProbe.Taken(publish, _options.Netns); }
        catch (IOException e) { throw new VoltException(ExitCode.Network, $"Failed checking ports for \"{container}\": {e.Message}", e); }
        if (taken.Count > 0)
            throw VoltException.Conflict($"host port{(taken.Count > 1 ? "s" : "")} {string.Join(", ", taken.Select(t => $"{t.HostPort}/{t.Protocol}"))} already in use on the host");
    }

    private static Attachment ToAttachment(AttachmentRecord r) =>
        new(r.Container, r.Network, r.Bridge, r.Address, r.PrefixLength, r.Gateway, r.HostVeth, r.Ports);
}
