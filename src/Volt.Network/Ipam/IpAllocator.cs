using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Network.Addressing;
using Volt.Network.State;

namespace Volt.Network.Ipam;

/// <summary>
/// The persisted address allocator of one network (<c>networks/&lt;name&gt;.ipam.json</c>). Each operation takes
/// an exclusive flock, reads the file, changes it and writes it atomically, so separate instances and separate
/// processes never hand one address to two owners. Owners are container names; allocation is idempotent per owner.
/// </summary>
public sealed class IpAllocator
{
    private readonly NetworkStore _store;
    private readonly string _network;
    private readonly Ipv4Cidr _subnet;

    public IpAllocator(NetworkStore store, string network, Ipv4Cidr subnet)
    {
        _store = store;
        _network = network;
        _subnet = subnet;
    }

    /// <summary>The outcome of <see cref="Allocate"/>: the address and whether this call created the lease.</summary>
    public readonly record struct Lease(string Address, bool Fresh);

    /// <summary>The owner's address: its existing lease, else the lowest free host address (never network, gateway, broadcast).</summary>
    public Lease Allocate(string owner)
    {
        using var _ = FileLock.Exclusive(_store.IpamLock(_network));
        var state = Load();
        if (state.Allocations.TryGetValue(owner, out var existing)) return new Lease(existing, false);
        var used = new HashSet<uint>(state.Allocations.Values.Select(Ipv4Cidr.ParseAddress));
        for (var a = _subnet.FirstHost; a <= _subnet.LastHost; a++)
        {
            if (used.Contains(a)) continue;
            var text = Ipv4Cidr.Format(a);
            state.Allocations[owner] = text;
            Save(state);
            return new Lease(text, true);
        }
        throw new VoltException(ExitCode.Resource, $"network \"{_network}\" ({_subnet}) has no free address left ({_subnet.Capacity} in use)");
    }

    /// <summary>Frees the owner's address; false when it held none.</summary>
    public bool Release(string owner)
    {
        using var _ = FileLock.Exclusive(_store.IpamLock(_network));
        var state = Load();
        if (!state.Allocations.Remove(owner)) return false;
        Save(state);
        return true;
    }

    /// <summary>A snapshot of owner → address (read under the lock, so never a torn view).</summary>
    public IReadOnlyDictionary<string, string> Allocations()
    {
        using var _ = FileLock.Exclusive(_store.IpamLock(_network));
        return Load().Allocations;
    }

    private IpamRecord Load()
    {
        var rec = NetworkStore.Read(_store.IpamFile(_network), NetworkJson.Default.IpamRecord);
        if (rec is null) return new IpamRecord(_network, _subnet.ToString(), new(StringComparer.Ordinal));
        if (rec.Subnet != _subnet.ToString())
            throw new VoltException(ExitCode.Conflict, $"IPAM file of network \"{_network}\" is for {rec.Subnet}, not {_subnet}");
        return rec with { Allocations = new SortedDictionary<string, string>(rec.Allocations, StringComparer.Ordinal) };
    }

    private void Save(IpamRecord state) => NetworkStore.Write(_store.IpamFile(_network), state, NetworkJson.Default.IpamRecord);
}
