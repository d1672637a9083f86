using System.Net;
using System.Text.Json;
using Volt.Mesh.Crypto;
using Volt.Mesh.WireGuard;

namespace Volt.Mesh;

/// <summary>
/// The peers a host configures, from the host records in etcd: every other host whose record is well formed (a
/// 32-byte key, an IP:PORT endpoint, a mesh address and /24 subnet inside the mesh CIDR) and claims nothing an
/// earlier record (lower create revision; this host's own record first) already holds. Everything else is ignored,
/// with the reason, never configured.
/// </summary>
public sealed record PeerSet(IReadOnlyList<HostRecord> Peers, IReadOnlyList<string> Ignored, HostRecord? Self)
{
    public const int Keepalive = 25;

    /// <summary>The etcd version (mod revision) of each <see cref="Ignored"/> record, in the same order.</summary>
    public IReadOnlyList<long> IgnoredVersions { get; init; } = [];

    public static PeerSet Build(IEnumerable<(byte[] Value, long CreateRevision)> records, string self, IPNetwork cidr) =>
        Build(records.Select(r => (r.Value, r.CreateRevision, r.CreateRevision)), self, cidr);

    public static PeerSet Build(IEnumerable<(byte[] Value, long CreateRevision, long ModRevision)> records, string self, IPNetwork cidr)
    {
        var parsed = new List<(HostRecord? Rec, long Rev, string Raw, long Mod)>();
        foreach (var (value, rev, mod) in records)
        {
            HostRecord? r = null;
            try { r = JsonSerializer.Deserialize(value, MeshJson.Default.HostRecord); }
            catch (JsonException) { }
            parsed.Add((r, rev, r?.Name ?? "?", mod));
        }
        var ordered = parsed.OrderBy(p => p.Rec?.Name == self ? 0 : 1).ThenBy(p => p.Rev).ToList();
        var peers = new List<HostRecord>();
        var ignored = new List<string>();
        var versions = new List<long>();
        var taken = new List<(IPNetwork Net, string Host)>();
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        HostRecord? me = null;
        foreach (var (r, _, raw, mod) in ordered)
        {
            if (r is null) { ignored.Add($"{raw}: not a host record"); versions.Add(mod); continue; }
            var why = Problem(r, cidr, taken, keys);
            if (why is not null) { ignored.Add($"{r.Name}: {why}"); versions.Add(mod); continue; }
            taken.Add((new IPNetwork(IPAddress.Parse(r.MeshIp), 32), r.Name));
            taken.Add((IPNetwork.Parse(r.Subnet), r.Name));
            keys[r.PublicKey] = r.Name;
            if (r.Name == self) me = r; else peers.Add(r);
        }
        return new PeerSet(peers, ignored, me) { IgnoredVersions = versions };
    }

    private static string? Problem(HostRecord r, IPNetwork cidr, List<(IPNetwork Net, string Host)> taken, Dictionary<string, string> keys)
    {
        if (string.IsNullOrEmpty(r.Name)) return "no name";
        if (!WgKey.IsValid(r.PublicKey)) return $"malformed public key \"{Show(r.PublicKey)}\"";
        if (keys.TryGetValue(r.PublicKey, out var other)) return $"public key already used by {other}";
        if (!IPEndPoint.TryParse(r.Endpoint ?? "", out var ep) || ep.Port == 0) return $"malformed endpoint \"{Show(r.Endpoint)}\"";
        if (!IPAddress.TryParse(r.MeshIp ?? "", out var ip) || !cidr.Contains(ip)) return $"mesh address \"{Show(r.MeshIp)}\" is not in {cidr}";
        if (!IPNetwork.TryParse(r.Subnet ?? "", out var sub) || sub.PrefixLength < 16 || !cidr.Contains(sub.BaseAddress)) return $"subnet \"{Show(r.Subnet)}\" is not a subnet of {cidr}";
        var mine = new IPNetwork(ip, 32);
        foreach (var (net, host) in taken)
        {
            if (MeshLayout.Overlaps(net, sub)) return $"subnet {sub} overlaps {host}'s {net}";
            if (MeshLayout.Overlaps(net, mine)) return $"mesh address {ip} overlaps {host}'s {net}";
        }
        if (sub.Contains(ip)) return $"mesh address {ip} is inside its own subnet {sub}";
        return null;
    }

    private static string Show(string? s) => s is null ? "" : s.Length > 60 ? s[..60] + "…" : s;

    /// <summary>The WireGuard configuration of one peer.</summary>
    public static WgPeerConfig Config(HostRecord r) => new(r.PublicKey, r.Endpoint, [$"{r.MeshIp}/32", r.Subnet], Keepalive);
}
