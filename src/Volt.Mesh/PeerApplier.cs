using Microsoft.Extensions.Logging;
using Volt.Mesh.WireGuard;

namespace Volt.Mesh;

/// <summary>
/// Brings the device's peers to a <see cref="PeerSet"/> with one UAPI <c>set</c> holding only the difference:
/// peers that stay keep their sessions (no <c>replace_peers</c>), new and changed ones are upserted, gone ones removed.
/// With a <see cref="WgDevice"/>, each peer's workload /24 is routed into the interface too (and unrouted with it).
/// Ignored records are logged once per record version (<see cref="IgnoredLog"/>), not on every sync.
/// </summary>
public sealed partial class PeerApplier(UapiClient uapi, ILogger log, WgDevice? routes = null)
{
    private readonly ILogger _log = log;
    private readonly IgnoredLog _ignored = new();
    private Dictionary<string, WgPeerConfig>? _applied;
    private HashSet<string>? _routed;

    public async Task<(int Added, int Removed)> ApplyAsync(PeerSet set, CancellationToken ct)
    {
        if (_applied is null)
        {
            var now = await uapi.GetAsync(ct).ConfigureAwait(false);
            _applied = now.Peers.ToDictionary(p => p.PublicKey, p => new WgPeerConfig(p.PublicKey, p.Endpoint, p.AllowedIps, p.Keepalive), StringComparer.Ordinal);
        }
        var desired = set.Peers.Select(PeerSet.Config).ToDictionary(p => p.PublicKey, StringComparer.Ordinal);
        var remove = _applied.Keys.Where(k => !desired.ContainsKey(k)).ToList();
        var upsert = desired.Values.Where(d => !_applied.TryGetValue(d.PublicKey, out var a) || !Same(a, d)).ToList();
        foreach (var i in _ignored.Fresh(set)) LogIgnored(i);
        if (remove.Count > 0 || upsert.Count > 0)
        {
            await uapi.SetPeersAsync(upsert, remove, ct).ConfigureAwait(false);
            foreach (var k in remove) _applied.Remove(k);
            foreach (var u in upsert) _applied[u.PublicKey] = u;
            var names = set.Peers.ToDictionary(p => p.PublicKey, p => p.Name, StringComparer.Ordinal);
            foreach (var u in upsert) LogPeerSet(names.GetValueOrDefault(u.PublicKey, "?"), u.Endpoint ?? "", string.Join(",", u.AllowedIps));
            if (remove.Count > 0) LogPeersRemoved(remove.Count);
        }
        await RouteAsync(set, ct).ConfigureAwait(false);
        return (upsert.Count, remove.Count);
    }

    /// <summary>Routes exactly the peers' workload subnets into the interface (after the peers, so a new route never
    /// points at a tunnel without its peer; a gone peer's route goes with it).</summary>
    private async Task RouteAsync(PeerSet set, CancellationToken ct)
    {
        if (routes is null) return;
        _routed ??= await routes.RoutesAsync(ct).ConfigureAwait(false);
        var want = set.Peers.Select(p => System.Net.IPNetwork.Parse(p.Subnet).ToString()).ToHashSet(StringComparer.Ordinal);
        foreach (var s in _routed.Where(r => !want.Contains(r)).ToList())
        {
            await routes.DeleteRouteAsync(s, ct).ConfigureAwait(false);
            _routed.Remove(s);
            LogUnrouted(s);
        }
        foreach (var s in want.Where(w => !_routed.Contains(w)).ToList())
        {
            await routes.AddRouteAsync(s, ct).ConfigureAwait(false);
            _routed.Add(s);
            LogRouted(s, routes.Interface);
        }
    }

    private static bool Same(WgPeerConfig a, WgPeerConfig b) =>
        a.Endpoint == b.Endpoint && a.Keepalive == b.Keepalive && a.AllowedIps.Order().SequenceEqual(b.AllowedIps.Order());

    [LoggerMessage(EventId = 17010, Level = LogLevel.Information, Message = "Peer {Host} at {Endpoint}: {AllowedIps}")]
    private partial void LogPeerSet(string host, string endpoint, string allowedIps);

    [LoggerMessage(EventId = 17011, Level = LogLevel.Information, Message = "Removed {Count} peer(s) no longer in etcd")]
    private partial void LogPeersRemoved(int count);

    [LoggerMessage(EventId = 17012, Level = LogLevel.Warning, Message = "Ignored a peer record: {Reason}")]
    private partial void LogIgnored(string reason);

    [LoggerMessage(EventId = 17013, Level = LogLevel.Information, Message = "Routed workload subnet {Subnet} into {Interface}")]
    private partial void LogRouted(string subnet, string @interface);

    [LoggerMessage(EventId = 17014, Level = LogLevel.Information, Message = "Unrouted workload subnet {Subnet} (its host left)")]
    private partial void LogUnrouted(string subnet);
}

/// <summary>
/// Which ignored records are news: each (record, version) is reported once; a record that changes (a new etcd
/// version) is reported again, one that is fixed or deleted is forgotten.
/// </summary>
public sealed class IgnoredLog
{
    private HashSet<string> _seen = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Fresh(PeerSet set)
    {
        var now = new HashSet<string>(StringComparer.Ordinal);
        var fresh = new List<string>();
        for (var i = 0; i < set.Ignored.Count; i++)
        {
            var key = (i < set.IgnoredVersions.Count ? set.IgnoredVersions[i] : 0) + "\n" + set.Ignored[i];
            now.Add(key);
            if (!_seen.Contains(key)) fresh.Add(set.Ignored[i]);
        }
        _seen = now;
        return fresh;
    }
}
