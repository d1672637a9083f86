using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Network.Addressing;
using Volt.Network.Host;
using Volt.Network.State;

namespace Volt.Network;

/// <summary>What <see cref="NetworkManager.AttachTapAsync"/> set up for a VM: its TAP on the bridge and its address.</summary>
public sealed record TapAttachment(string Vm, string Network, string Bridge, string Tap, string Address, int PrefixLength, string Gateway, string? Netns);

public sealed partial class NetworkManager
{
    /// <summary>The TAP device of a VM: <c>vt-</c> and ten hex digits of its name's SHA-256 (15 characters, IFNAMSIZ).</summary>
    public static string TapName(string vm) => "vt-" + NetNames.Hash10(vm);

    /// <summary>
    /// Puts a VM on a network (null = <c>volt0</c>, created on first need): an address from the same IPAM as
    /// containers, a TAP device (<see cref="TapName"/>) enslaved to the bridge and up for QEMU to open, an attachment
    /// record of kind <c>vm</c> (volt-dns sees it like a container's) and DNAT for <paramref name="publish"/>. A port
    /// already published → exit 9 before anything changes; any later failure undoes every earlier step. A VM already
    /// attached to that network gets its record back (QEMU restarts reuse the TAP).
    /// </summary>
    public async Task<TapAttachment> AttachTapAsync(string vm, string? network, IReadOnlyList<PortMapping> publish, CancellationToken ct = default)
    {
        NetNames.ValidateOwner(vm);
        PortMapping.Validate(publish);
        using var _ = await FileLock.ExclusiveAsync(Store.EngineLock, ct).ConfigureAwait(false);
        if (network is not null && network != NetNames.DefaultNetwork && Store.TryGet(network) is null)
            throw VoltException.NotFound($"network \"{network}\" not found");
        var tap = TapName(vm);
        await using var rev = new Reverter();
        try
        {
            var net = network is null or NetNames.DefaultNetwork
                ? await EnsureDefaultLockedAsync(rev, ct).ConfigureAwait(false)
                : Get(network);
            if (network is not null && network != NetNames.DefaultNetwork) await EnsureUpAsync(net, rev, ct).ConfigureAwait(false);
            if (Store.AttachmentsOf(vm).FirstOrDefault(a => a.Network == net.Name) is { } existing && await _links.ExistsAsync(tap, ct).ConfigureAwait(false))
            {
                rev.Commit();
                return ToTap(existing, tap);
            }
            CheckPortsFree(vm, publish);
            var ipam = Ipam(net);
            var lease = ipam.Allocate(vm);
            if (lease.Fresh) rev.Add($"release {lease.Address}", () => ipam.Release(vm));
            var record = new AttachmentRecord(vm, net.Name, net.Bridge, lease.Address, net.Cidr.PrefixLength, net.Gateway,
                tap, "tap:" + tap, publish, _time.GetUtcNow()) { Kind = AttachmentKinds.Vm, Interface = tap };
            Store.SaveAttachment(record);
            rev.Add("remove attachment record", () => Store.DeleteAttachment(vm, net.Name));

            if (await _links.ExistsAsync(tap, ct).ConfigureAwait(false)) await _links.DeleteAsync(tap, ct).ConfigureAwait(false);
            await Host.CheckAsync($"creating TAP \"{tap}\"", "ip", ["tuntap", "add", "dev", tap, "mode", "tap"], null, ct).ConfigureAwait(false);
            rev.Add($"delete TAP \"{tap}\"", c => _links.DeleteAsync(tap, c));
            await Host.CheckAsync($"putting TAP \"{tap}\" on {net.Bridge}", "ip", ["link", "set", "dev", tap, "master", net.Bridge, "up"], null, ct).ConfigureAwait(false);
            if (publish.Count > 0)
            {
                await _nft.AddPortForwardsAsync(record, ct).ConfigureAwait(false);
                rev.Add("remove port forwards", c => _nft.RemoveAsync(NftDriver.ContainerComment(vm), c));
            }
            rev.Commit();
            return ToTap(record, tap);
        }
        catch (Exception e)
        {
            await rev.RevertAsync(e).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Removes the VM's TAP, port forwards and records, and releases its addresses. Idempotent.</summary>
    public async Task<bool> DetachTapAsync(string vm, CancellationToken ct = default)
    {
        NetNames.ValidateOwner(vm);
        using var _ = await FileLock.ExclusiveAsync(Store.EngineLock, ct).ConfigureAwait(false);
        var records = Store.AttachmentsOf(vm).Where(r => r.Kind == AttachmentKinds.Vm).ToList();
        var found = await _nft.RemoveAsync(NftDriver.ContainerComment(vm), ct).ConfigureAwait(false) > 0 | records.Count > 0;
        if (await _links.ExistsAsync(TapName(vm), ct).ConfigureAwait(false)) { await _links.DeleteAsync(TapName(vm), ct).ConfigureAwait(false); found = true; }
        foreach (var net in Store.List()) found |= Ipam(net).Release(vm);
        foreach (var rec in records) Store.DeleteAttachment(vm, rec.Network);
        return found;
    }

    private TapAttachment ToTap(AttachmentRecord r, string tap) =>
        new(r.Container, r.Network, r.Bridge, tap, r.Address, r.PrefixLength, r.Gateway, _options.Netns);
}
