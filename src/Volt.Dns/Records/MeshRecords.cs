using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Volt.Dns.Records;

/// <summary>
/// A workload of another mesh host (docs/mesh.md, "Workloads"): the mesh agent writes them from etcd to
/// <c>LIB/mesh/remote-workloads.json</c> (<see cref="MeshRecordsFile"/>); volt-dns reads that file, nothing of the mesh.
/// </summary>
public sealed record RemoteWorkload(string Host, string Name, string Address);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<RemoteWorkload>))]
internal sealed partial class MeshRecordsJson : JsonSerializerContext;

/// <summary>Where the remote workloads are, and reading them (a missing or broken file = none).</summary>
public static class MeshRecordsFile
{
    public static string Dir(Core.Paths.VoltPaths paths) => Path.Combine(paths.Lib, "mesh");
    public const string Name = "remote-workloads.json";
    public static string PathOf(Core.Paths.VoltPaths paths) => Path.Combine(Dir(paths), Name);

    public static IReadOnlyList<RemoteWorkload> Read(string? path)
    {
        if (path is null) return [];
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(path), MeshRecordsJson.Default.ListRemoteWorkload) ?? []; }
        catch (FileNotFoundException) { return []; }
        catch (DirectoryNotFoundException) { return []; }
        catch (JsonException) { return []; }
    }
}

/// <summary>
/// The mesh half of the records: <c>NAME.HOST.mesh</c> for every remote workload, and plain <c>NAME</c> when exactly
/// one remote host has it and no local workload does (a local name always wins; an ambiguous one is NXDOMAIN plain,
/// answered qualified). Visible to the host and to every workload on a Volt network (the mesh is between hosts; the
/// firewall decides what may flow), never to unknown askers.
/// </summary>
public sealed partial class DnsRecords
{
    public const string MeshDomain = "mesh";
    private Dictionary<string, DnsEntry[]> _remote = [];

    /// <summary>The remote workloads in this snapshot (for <c>volt dns list</c>).</summary>
    public IReadOnlyList<DnsEntry> RemoteEntries { get; private set; } = [];

    private void AddRemote(IReadOnlyList<RemoteWorkload>? remote)
    {
        if (remote is null || remote.Count == 0) return;
        var byName = new Dictionary<string, List<DnsEntry>>(StringComparer.Ordinal);
        var hostsOf = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var all = new List<DnsEntry>();
        foreach (var w in remote)
        {
            var name = w.Name.ToLowerInvariant();
            var host = w.Host.ToLowerInvariant();
            if (!ValidName(name) || name.Contains('.') || !ValidName(host) || host.Contains('.') || !IPAddress.TryParse(w.Address, out var ip)) continue;
            var e = new DnsEntry(name, name + "." + host, "remote", MeshDomain + ":" + host, IsV4(ip) ? ip : null, IsV4(ip) ? null : ip, Alias: false);
            all.Add(e);
            var fqdn = name + "." + host + "." + MeshDomain;
            if (!byName.TryGetValue(fqdn, out var l)) byName[fqdn] = l = [];
            l.Add(e);
            if (!hostsOf.TryGetValue(name, out var hs)) hostsOf[name] = hs = new(StringComparer.Ordinal);
            hs.Add(host);
        }
        foreach (var (name, hosts) in hostsOf)
        {
            if (hosts.Count != 1 || _byName.ContainsKey(name)) continue;
            byName[name] = [.. all.Where(e => e.Name == name)];
        }
        _remote = byName.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);
        RemoteEntries = all;
    }

    /// <summary>Remote entries named <paramref name="name"/> for an asker of <paramref name="scope"/>, or null.</summary>
    private IReadOnlyList<DnsEntry>? FindRemote(string name, IReadOnlySet<string>? scope) =>
        _remote.TryGetValue(name, out var all) && (scope is null || scope.Count > 0) ? all : null;

    private static bool IsMeshName(string name) => name == MeshDomain || name.EndsWith("." + MeshDomain, StringComparison.Ordinal);
}
