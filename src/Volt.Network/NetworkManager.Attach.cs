using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Network.Addressing;
using Volt.Network.Firewall;
using Volt.Network.Host;
using Volt.Network.State;

namespace Volt.Network;

public sealed partial class NetworkManager
{
    /// <summary>
    /// Connects a running container (its network namespace is that of <paramref name="pid"/>) to a network
    /// (<c>null</c> = the default <c>volt0</c>, created on first need): an address from IPAM, a veth whose host end is
    /// on the bridge and whose peer is the next free <c>ethN</c> inside, a default route via the gateway on the first
    /// network, and DNAT for <paramref name="publish"/>. A published port already held (by another container or a host
    /// socket) → exit 9 before anything changes; any later failure undoes every earlier step.
    /// </summary>
    public Task<Attachment> AttachAsync(string container, string? network, int pid, IReadOnlyList<PortMapping> publish, CancellationToken ct = default) =>
        AttachAsync(container, network, new NetnsTarget.Pid(pid), publish, ct);

    /// <summary>As above for any namespace target (a named netns from <c>ip netns add</c>: tests and tools).</summary>
    public Task<Attachment> AttachAsync(string container, string? network, NetnsTarget target, IReadOnlyList<PortMapping> publish, CancellationToken ct = default) =>
        AttachAsync(container, network, target, publish, [], ct);

    /// <summary>
    /// The one attach: also the way <c>volt net connect</c> adds a second (third…) network to a running workload, with
    /// DNS <paramref name="aliases"/>. Crash safety: a journal entry is written before the first host change and
    /// removed after the attachment record (the commit point) is renamed into place; the next network command that
    /// finds a journal entry without its record undoes what that entry names (see <see cref="RecoverLockedAsync"/>).
    /// </summary>
    public async Task<Attachment> AttachAsync(string container, string? network, NetnsTarget target, IReadOnlyList<PortMapping> publish,
        IReadOnlyList<string> aliases, CancellationToken ct = default)
    {
        NetNames.ValidateOwner(container);
        PortMapping.Validate(publish);
        foreach (var a in aliases) NetNames.ValidateOwner(a);
        var netName = network ?? NetNames.DefaultNetwork;
        using var _ = await FileLock.ExclusiveAsync(Store.EngineLock, ct).ConfigureAwait(false);
        await RecoverLockedAsync(ct).ConfigureAwait(false);
        var existing = Store.AttachmentsOf(container);
        if (existing.Any(e => e.Network == netName))
            throw VoltException.Exists($"workload \"{container}\" is already attached to network \"{netName}\"");
        if (netName != NetNames.DefaultNetwork && Store.TryGet(netName) is null)
            throw VoltException.NotFound($"network \"{netName}\" not found");
        CheckPortsFree(container, publish);
        var inside = NextInterface(existing);
        var hostVeth = inside == "eth0" ? NetNames.HostVeth(container) : NetNames.HostVeth($"{container}@{netName}");

        await using var rev = new Reverter();
        try
        {
            var net = netName == NetNames.DefaultNetwork
                ? await EnsureDefaultLockedAsync(rev, ct).ConfigureAwait(false)
                : Get(netName);
            if (netName != NetNames.DefaultNetwork) await EnsureUpAsync(net, rev, ct).ConfigureAwait(false);

            var ipam = Ipam(net);
            // The journal entry first, so a kill -9 anywhere after this line leaves something that says what to undo.
            Journal.Begin(new AttachJournal(container, net.Name, hostVeth, inside, target.ToString(),
                FreshLease: !ipam.Allocations().ContainsKey(container), Published: publish.Count > 0));
            rev.Add("forget journal", () => Journal.End(container, net.Name));
            var lease = ipam.Allocate(container);
            if (lease.Fresh) rev.Add($"release {lease.Address}", () => ipam.Release(container));
            Crash.At("lease");

            var cidr = net.Cidr;
            var v6 = net.Subnet6 is { } s6 ? Ipv6Cidr.Parse(s6) : (Ipv6Cidr?)null;
            var address6 = v6?.Host(Ipv4Cidr.ParseAddress(lease.Address) - cidr.Network);
            var record = new AttachmentRecord(container, net.Name, net.Bridge, lease.Address, cidr.PrefixLength, net.Gateway,
                hostVeth, target.ToString(), publish, _time.GetUtcNow())
            { Aliases = aliases, Address6 = address6, Interface = inside, Kind = AttachmentKinds.Container };

            await _links.CreateVethAsync(hostVeth, net.Bridge, target, inside, net.Mtu, ct, LinkDriver.MacFor(lease.Address)).ConfigureAwait(false);
            rev.Add($"delete veth \"{hostVeth}\"", c => _links.DeleteAsync(hostVeth, c));
            Crash.At("veth");
            var defaultRoute = !net.Internal && !existing.Any(e => Store.TryGet(e.Network) is { Internal: false });
            await _links.ConfigureInsideAsync(target, inside, lease.Address, cidr.PrefixLength, net.Gateway,
                address6, v6?.PrefixLength ?? 64, net.Gateway6, defaultRoute, ct).ConfigureAwait(false);
            Crash.At("inside");

            if (publish.Count > 0)
            {
                // One atomic nft script: either every forward exists or none does, so the undo is exact.
                await _nft.AddPortForwardsAsync(record, ct).ConfigureAwait(false);
                rev.Add("remove port forwards", c => _nft.RemoveAsync(NftDriver.ContainerComment(container), c));
            }
            await UpdateWorkloadSetAsync(container, [lease.Address], add: true, ct).ConfigureAwait(false);
            rev.Add("remove from firewall sets", c => UpdateWorkloadSetAsync(container, [lease.Address], add: false, c));
            Crash.At("nft");

            Store.SaveAttachment(record); // the commit point: volt-dns sees the workload on this network from here
            Journal.End(container, net.Name);
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
    /// Undoes the attachments of <paramref name="container"/> (all of them): removes its nft rules and set elements,
    /// host veths (tolerating ones already gone, as after the container exited), the network namespace Volt made for
    /// it, releases its addresses unless
    /// <paramref name="releaseAddress"/> is false (a stop that keeps the IP for the next start), and forgets the
    /// records. Idempotent; false when there was nothing to remove.
    /// </summary>
    public async Task<bool> DetachAsync(string container, bool releaseAddress = true, CancellationToken ct = default)
    {
        NetNames.ValidateOwner(container);
        using var _ = await FileLock.ExclusiveAsync(Store.EngineLock, ct).ConfigureAwait(false);
        await RecoverLockedAsync(ct).ConfigureAwait(false);
        var records = Store.AttachmentsOf(container);
        var found = records.Count > 0;
        // With or without a record (crashed before writing it, or never attached): sweep rules that name the container.
        found |= await _nft.RemoveAsync(NftDriver.ContainerComment(container), ct).ConfigureAwait(false) > 0;
        foreach (var rec in records)
        {
            await _links.DeleteAsync(rec.HostVeth, ct).ConfigureAwait(false);
            await UpdateWorkloadSetAsync(container, [rec.Address], add: false, ct).ConfigureAwait(false);
        }
        if (releaseAddress)
            foreach (var net in Store.List())
                found |= Ipam(net).Release(container);
        foreach (var rec in records) Store.DeleteAttachment(container, rec.Network);
        // The namespace Volt made for the container's run (never one a user named with `net connect --netns`).
        var netns = ContainerNetnsName(container);
        if (File.Exists(LinkDriver.NetnsPath(netns)))
        {
            await _links.DeleteNetnsAsync(netns, ct).ConfigureAwait(false);
            found = true;
        }
        return found;
    }

    /// <summary>
    /// <c>volt net disconnect NET WORKLOAD</c>: removes one network from a running workload (its interface inside, the
    /// host veth, its port forwards if they were on this network, its set elements, its lease, the record).
    /// Exit 3 when the workload is not on that network.
    /// </summary>
    public async Task DisconnectAsync(string container, string network, CancellationToken ct = default)
    {
        NetNames.ValidateOwner(container);
        using var _ = await FileLock.ExclusiveAsync(Store.EngineLock, ct).ConfigureAwait(false);
        await RecoverLockedAsync(ct).ConfigureAwait(false);
        var rec = Store.TryGetAttachment(container, network)
            ?? throw VoltException.NotFound($"workload \"{container}\" is not attached to network \"{network}\"");
        if (rec.Ports.Count > 0) await _nft.RemoveAsync(NftDriver.ContainerComment(container), ct).ConfigureAwait(false);
        await UpdateWorkloadSetAsync(container, [rec.Address], add: false, ct).ConfigureAwait(false);
        // Deleting the host end deletes the pair, so the interface inside goes with it.
        await _links.DeleteAsync(rec.HostVeth, ct).ConfigureAwait(false);
        Store.DeleteAttachment(container, network);
        if (Store.TryGet(network) is { } net) Ipam(net).Release(container);
    }

    public Attachment? GetAttachment(string container) =>
        Store.AttachmentsOf(container).FirstOrDefault() is { } r ? ToAttachment(r) : null;

    /// <summary>The first <c>ethN</c> none of the workload's attachments uses (records from before multi-network are eth0).</summary>
    private static string NextInterface(IReadOnlyList<AttachmentRecord> existing)
    {
        var used = existing.Select(e => e.Interface ?? "eth0").ToHashSet(StringComparer.Ordinal);
        for (var i = 0; ; i++)
            if (!used.Contains($"eth{i}")) return $"eth{i}";
    }

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
        new(r.Container, r.Network, r.Bridge, r.Address, r.PrefixLength, r.Gateway, r.HostVeth, r.Ports) { Address6 = r.Address6, Interface = r.Interface ?? "eth0" };
}
