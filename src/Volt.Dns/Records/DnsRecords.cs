using System.Net;
using System.Net.Sockets;
using Volt.Dns.Wire;
using Volt.Network.State;

namespace Volt.Dns.Records;

/// <summary>One name volt-dns answers: a workload's own name or an alias, on one network.</summary>
public sealed record DnsEntry(string Name, string Workload, string Kind, string Network, IPAddress? Address, IPAddress? Address6, bool Alias)
{
    /// <summary>The explicit-scope name: <c>NAME.NETWORK.volt</c> (the network's search domain).</summary>
    public string Fqdn(string searchDomain) => Name + "." + searchDomain;
}

/// <summary>What volt-dns knows about one network.</summary>
public sealed record DnsNetwork(string Name, string SearchDomain, IPAddress Gateway, IPAddress? Gateway6, IPNetwork Subnet, IPNetwork? Subnet6);

/// <summary>
/// An immutable snapshot of every name volt-dns answers, built from the network records and attachments; a new one
/// replaces it whole on every change. Scope rule (as Docker's embedded DNS): a name is visible only to askers on a
/// network the name is on. An asker is known by its source address: a workload's address on any of its networks
/// gives it all of that workload's networks; the host (a gateway address, loopback) sees every network; anyone
/// else sees no workload names at all.
/// </summary>
public sealed partial class DnsRecords
{
    private readonly Dictionary<string, DnsEntry[]> _byName;
    private readonly Dictionary<string, (DnsEntry Entry, string Target)[]> _byReverse;
    private readonly Dictionary<IPAddress, HashSet<string>> _askers;
    private readonly HashSet<IPAddress> _host;

    public static DnsRecords Empty { get; } = Build([], []);

    private DnsRecords(IReadOnlyList<DnsNetwork> networks, IReadOnlyList<DnsEntry> entries, IReadOnlyList<RemoteWorkload>? remote = null)
    {
        Networks = networks;
        Entries = entries;
        var nets = networks.ToDictionary(n => n.Name, StringComparer.Ordinal);
        _byName = [];
        _byReverse = [];
        _askers = [];
        _host = [IPAddress.Loopback, IPAddress.IPv6Loopback];
        foreach (var n in networks)
        {
            _host.Add(n.Gateway);
            if (n.Gateway6 is { } g6) _host.Add(g6);
        }
        var byName = new Dictionary<string, List<DnsEntry>>(StringComparer.Ordinal);
        var reverse = new Dictionary<string, List<(DnsEntry, string)>>(StringComparer.Ordinal);
        void Add(string key, DnsEntry e)
        {
            if (!byName.TryGetValue(key, out var l)) byName[key] = l = [];
            l.Add(e);
        }
        var workloadNetworks = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (!nets.TryGetValue(e.Network, out var net)) continue;
            Add(e.Name, e);
            Add(e.Fqdn(net.SearchDomain), e);
            if (!workloadNetworks.TryGetValue(e.Workload, out var set)) workloadNetworks[e.Workload] = set = new(StringComparer.Ordinal);
            set.Add(e.Network);
            if (e.Alias) continue;
            foreach (var ip in new[] { e.Address, e.Address6 })
            {
                if (ip is null) continue;
                var key = DnsName.Reverse(ip);
                if (!reverse.TryGetValue(key, out var l)) reverse[key] = l = [];
                l.Add((e, e.Fqdn(net.SearchDomain)));
            }
        }
        foreach (var (k, v) in byName) _byName[k] = [.. v];
        foreach (var (k, v) in reverse) _byReverse[k] = [.. v];
        foreach (var e in entries)
        {
            if (e.Alias || !workloadNetworks.TryGetValue(e.Workload, out var set)) continue;
            if (e.Address is { } a) _askers[a] = set;
            if (e.Address6 is { } a6) _askers[a6] = set;
        }
        AddRemote(remote);
    }

    public IReadOnlyList<DnsNetwork> Networks { get; }
    public IReadOnlyList<DnsEntry> Entries { get; }

    /// <summary>Builds the snapshot; attachments on networks without a record, or with an unparsable address, are skipped.</summary>
    public static DnsRecords Build(IEnumerable<NetworkRecord> networks, IEnumerable<AttachmentRecord> attachments, IReadOnlyList<RemoteWorkload>? remote = null)
    {
        var nets = new List<DnsNetwork>();
        foreach (var n in networks)
        {
            if (!IPAddress.TryParse(n.Gateway, out var gw) || !IPNetwork.TryParse(n.Subnet, out var subnet)) continue;
            IPAddress? gw6 = n.Gateway6 is { } g6 && IPAddress.TryParse(g6, out var p6) ? p6 : null;
            IPNetwork? subnet6 = n.Subnet6 is { } s6 && IPNetwork.TryParse(s6, out var ps6) ? ps6 : null;
            var search = string.IsNullOrEmpty(n.SearchDomain) ? n.Name + ".volt" : n.SearchDomain;
            nets.Add(new DnsNetwork(n.Name, search.ToLowerInvariant(), gw, gw6, subnet, subnet6));
        }
        var entries = new List<DnsEntry>();
        foreach (var a in attachments)
        {
            IPAddress? v4 = IPAddress.TryParse(a.Address, out var p) ? p : null;
            IPAddress? v6 = a.Address6 is { } s && IPAddress.TryParse(s, out var q) ? q : null;
            if (v4 is null && v6 is null) continue;
            var name = a.Container.ToLowerInvariant();
            var kind = string.IsNullOrEmpty(a.Kind) ? "container" : a.Kind;
            entries.Add(new DnsEntry(name, name, kind, a.Network, v4, v6, Alias: false));
            foreach (var alias in a.Aliases ?? [])
            {
                var al = alias.Trim().TrimEnd('.').ToLowerInvariant();
                if (al.Length == 0 || al == name || !ValidName(al)) continue;
                entries.Add(new DnsEntry(al, name, kind, a.Network, v4, v6, Alias: true));
            }
        }
        return new DnsRecords(nets, entries, remote);
    }

    /// <summary>A name volt-dns can answer: labels of 1-63 letters, digits, '-', '_', 255 characters in all.</summary>
    public static bool ValidName(string name) =>
        name.Length is > 0 and <= 253 && name.Split('.').All(l => l.Length is > 0 and <= 63 && l.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));

    /// <summary>The networks an asker at <paramref name="source"/> sees: null = every network (the host).</summary>
    public IReadOnlySet<string>? ScopeOf(IPAddress source)
    {
        if (source.IsIPv4MappedToIPv6) source = source.MapToIPv4();
        if (_askers.TryGetValue(source, out var set)) return set;
        if (_host.Contains(source) || IPAddress.IsLoopback(source)) return null;
        return Nothing;
    }

    private static readonly HashSet<string> Nothing = [];

    /// <summary>The workload's networks (what <c>volt dns lookup --from</c> asks as); empty when it is on none.</summary>
    public IReadOnlySet<string> ScopeOfWorkload(string workload)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in Entries) if (e.Workload == workload && !e.Alias) set.Add(e.Network);
        return set;
    }

    /// <summary>Whether <paramref name="name"/> (lower-case, no trailing dot) is volt-dns's own to answer, never forwarded:
    /// single-label names, <c>*.volt</c>, and reverse names of addresses in a Volt subnet.</summary>
    public bool IsLocal(string name)
    {
        if (!name.Contains('.') || name == "volt" || name.EndsWith(".volt", StringComparison.Ordinal)) return name.Length > 0;
        if (IsMeshName(name)) return true;
        if (_byReverse.ContainsKey(name)) return true;
        return ReverseAddress(name) is { } ip && Networks.Any(n => n.Subnet.Contains(ip) || (n.Subnet6 is { } s6 && s6.Contains(ip)));
    }

    /// <summary>Entries named <paramref name="name"/> visible to <paramref name="scope"/>; null when the name does not exist for it.</summary>
    public IReadOnlyList<DnsEntry>? Find(string name, IReadOnlySet<string>? scope)
    {
        if (!_byName.TryGetValue(name, out var all)) return FindRemote(name, scope);
        if (scope is null) return all;
        List<DnsEntry>? visible = null;
        foreach (var e in all) if (scope.Contains(e.Network)) (visible ??= []).Add(e);
        return visible;
    }

    /// <summary>PTR targets (<c>NAME.NETWORK.volt</c>) for a reverse name visible to <paramref name="scope"/>.</summary>
    public IReadOnlyList<string>? FindReverse(string name, IReadOnlySet<string>? scope)
    {
        if (!_byReverse.TryGetValue(name, out var all)) return null;
        List<string>? visible = null;
        foreach (var (e, target) in all) if (scope is null || scope.Contains(e.Network)) (visible ??= []).Add(target);
        return visible;
    }

    /// <summary>The address of a reverse name (<c>d.c.b.a.in-addr.arpa</c>, 32 nibbles under ip6.arpa), or null.</summary>
    public static IPAddress? ReverseAddress(string name)
    {
        if (name.EndsWith(".in-addr.arpa", StringComparison.Ordinal))
        {
            var parts = name[..^".in-addr.arpa".Length].Split('.');
            if (parts.Length != 4) return null;
            var b = new byte[4];
            for (var i = 0; i < 4; i++) if (!byte.TryParse(parts[3 - i], System.Globalization.NumberStyles.None, null, out b[i])) return null;
            return new IPAddress(b);
        }
        if (name.EndsWith(".ip6.arpa", StringComparison.Ordinal))
        {
            var nibbles = name[..^".ip6.arpa".Length].Split('.');
            if (nibbles.Length != 32 || nibbles.Any(n => n.Length != 1 || !char.IsAsciiHexDigit(n[0]))) return null;
            var b = new byte[16];
            for (var i = 0; i < 32; i++)
            {
                var v = Convert.ToByte(nibbles[i], 16);
                var at = 15 - i / 2;
                b[at] |= (byte)(i % 2 == 0 ? v : v << 4);
            }
            return new IPAddress(b);
        }
        return null;
    }

    internal static bool IsV4(IPAddress ip) => ip.AddressFamily == AddressFamily.InterNetwork;
}
