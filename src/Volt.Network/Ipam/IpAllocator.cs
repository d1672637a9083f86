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
    private readonly uint _gateway;

    /// <param name="gateway">The bridge's address (never handed out); null = the subnet's first host.</param>
    public IpAllocator(NetworkStore store, string network, Ipv4Cidr subnet, string? gateway = null)
    {
        _store = store;
        _network = network;
        _subnet = subnet;
        _gateway = gateway is null ? subnet.Gateway : Ipv4Cidr.ParseAddress(gateway);
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
        // A pinned owner gets its address back (a restart after an exit released it); nobody else takes a pinned one.
        if (state.Pinned?.GetValueOrDefault(owner) is { } pin && !used.Contains(Ipv4Cidr.ParseAddress(pin)))
        {
            state.Allocations[owner] = pin;
            Save(state);
            return new Lease(pin, true);
        }
        if (state.Pinned is not null) foreach (var p in state.Pinned.Values) used.Add(Ipv4Cidr.ParseAddress(p));
        for (var a = _subnet.Gateway; a <= _subnet.LastHost; a++)
        {
            if (a == _gateway || used.Contains(a)) continue;
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

    /// <summary>
    /// Pins <paramref name="address"/> to <paramref name="owner"/> (compose's <c>ipv4_address</c>): every later
    /// <see cref="Allocate"/> of the owner returns it, even after a <see cref="Release"/> (an exit), and no other owner
    /// is given it, until <see cref="Unpin"/>. Returns the other owner holding or pinning it (nothing changes then),
    /// else null. Exit 12 for an address outside the subnet or the gateway.
    /// </summary>
    public string? Claim(string owner, string address)
    {
        if (!Ipv4Cidr.TryParseAddress(address, out var a) || !_subnet.Contains(a) || a == _gateway || a < _subnet.Gateway || a > _subnet.LastHost)
            throw new VoltException(ExitCode.InvalidConfig, $"{address} is not a free host address of network \"{_network}\" ({_subnet}, gateway {Ipv4Cidr.Format(_gateway)})");
        using var _ = FileLock.Exclusive(_store.IpamLock(_network));
        var state = Load();
        var text = Ipv4Cidr.Format(a);
        if (state.Allocations.Concat(state.Pinned ?? Enumerable.Empty<KeyValuePair<string, string>>()).FirstOrDefault(kv => kv.Value == text && kv.Key != owner) is { Key: { } holder }) return holder;
        if (state.Pinned?.GetValueOrDefault(owner) == text && !state.Allocations.ContainsKey(owner)) return null;
        var pinned = state.Pinned is null ? new SortedDictionary<string, string>(StringComparer.Ordinal) : new SortedDictionary<string, string>(state.Pinned, StringComparer.Ordinal);
        pinned[owner] = text;
        // A lease of another address (the owner is not running: it is claimed before a start) gives way to the pin.
        if (state.Allocations.TryGetValue(owner, out var held) && held != text) state.Allocations.Remove(owner);
        Save(state with { Pinned = pinned });
        return null;
    }

    /// <summary>Forgets the owner's pinned address (its instance was removed); false when it had none.</summary>
    public bool Unpin(string owner)
    {
        using var _ = FileLock.Exclusive(_store.IpamLock(_network));
        var state = Load();
        if (state.Pinned is null || !state.Pinned.ContainsKey(owner)) return false;
        var pinned = new SortedDictionary<string, string>(state.Pinned, StringComparer.Ordinal);
        pinned.Remove(owner);
        Save(state with { Pinned = pinned });
        return true;
    }

    private IpamRecord Load()
    {
        var rec = NetworkStore.Read(_store.IpamFile(_network), NetworkJson.Default.IpamRecord);
        if (rec is null) return new IpamRecord(_network, _subnet.ToString(), new(StringComparer.Ordinal));
        if (rec.Subnet != _subnet.ToString())
            throw new VoltException(ExitCode.Conflict, $"IPAM file of network \"{_network}\" is for {rec.Subnet}, not {_subnet}");
        return rec with { Allocations = new SortedDictionary<string, string>(rec.Allocations, StringComparer.Ordinal) };
    }

    /// <summary>Not fsynced: the leases say which addresses live interfaces hold; a machine crash loses at most the last
    /// change, and every interface with it.</summary>
    private void Save(IpamRecord state) => NetworkStore.Write(_store.IpamFile(_network), state, NetworkJson.Default.IpamRecord, durable: false);
}
