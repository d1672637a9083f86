using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Paths;

namespace Volt.Network.State;

/// <summary>
/// Persisted network state. Every file is written whole and atomically (temp + fsync + rename).
/// <code>
/// /var/lib/volt/networks/
/// ├── volt0.json                  {"name","bridge","subnet","gateway","created"}   NetworkRecord
/// ├── volt0.ipam.json             {"network","subnet","allocations":{"web":"10.0.0.2"}}   IpamRecord
/// ├── backend.json, backend.ipam.json …
/// └── attachments/
///     └── web@volt0.json          {"container","network","bridge","address","prefix_length","gateway",
///                                  "host_veth","target","ports":[{"host_port","container_port","protocol"}],"created",
///                                  "aliases":[…],"address6","kind":"container"|"vm","interface"}   AttachmentRecord
///                                 one file per (workload, network); "web.json" (before multi-network) still reads
/// /var/run/volt/locks/
/// ├── network.lock                serialises create/delete/attach/detach
/// └── ipam-&lt;network&gt;.lock         serialises one network's allocator (held only around read-modify-write)
/// </code>
/// </summary>
public sealed class NetworkStore(VoltPaths paths)
{
    public string Dir => paths.Networks;
    public string AttachmentsDir => Path.Combine(paths.Networks, "attachments");

    public string NetworkFile(string name) => Path.Combine(Dir, name + ".json");
    public string IpamFile(string name) => Path.Combine(Dir, name + ".ipam.json");
    public string AttachmentFile(string container) => Path.Combine(AttachmentsDir, container + ".json");
    public string EngineLock => Path.Combine(paths.Locks, "network.lock");
    public string IpamLock(string name) => Path.Combine(paths.Locks, $"ipam-{name}.lock");

    public NetworkRecord? TryGet(string name) => Read(NetworkFile(name), NetworkJson.Default.NetworkRecord);

    public IReadOnlyList<NetworkRecord> List() =>
        !Directory.Exists(Dir) ? [] :
        [.. Directory.EnumerateFiles(Dir, "*.json")
            .Where(f => !f.EndsWith(".ipam.json", StringComparison.Ordinal))
            .Select(f => Read(f, NetworkJson.Default.NetworkRecord))
            .OfType<NetworkRecord>()
            .OrderBy(n => n.Name, StringComparer.Ordinal)];

    public void Save(NetworkRecord n) => Write(NetworkFile(n.Name), n, NetworkJson.Default.NetworkRecord);

    public void Delete(string name)
    {
        AtomicFile.TryDelete(NetworkFile(name));
        AtomicFile.TryDelete(IpamFile(name));
    }

    /// <summary>The one file of <paramref name="workload"/> on <paramref name="network"/>.</summary>
    public string AttachmentFile(string workload, string network) => Path.Combine(AttachmentsDir, $"{workload}@{network}.json");

    /// <summary>The file a single-network attachment had before multi-network (still read, removed on the next save).</summary>
    public string LegacyAttachmentFile(string workload) => Path.Combine(AttachmentsDir, workload + ".json");

    public AttachmentRecord? TryGetAttachment(string workload, string network) =>
        Read(AttachmentFile(workload, network), NetworkJson.Default.AttachmentRecord)
        ?? (Read(LegacyAttachmentFile(workload), NetworkJson.Default.AttachmentRecord) is { } legacy && legacy.Network == network ? legacy : null);

    /// <summary>Every network <paramref name="workload"/> is attached to, by network name.</summary>
    /// Reads only that workload's files (<c>&lt;workload&gt;@*.json</c> and its legacy file), never every attachment: a
    /// start costs the same with 1 or 1,000 workloads on the host.
    public IReadOnlyList<AttachmentRecord> AttachmentsOf(string workload)
    {
        if (!Directory.Exists(AttachmentsDir)) return [];
        var byNetwork = new Dictionary<string, AttachmentRecord>(StringComparer.Ordinal);
        // Workload names never hold a wildcard (NetNames.ValidateOwner), so the pattern is literal but for the '*'.
        foreach (var f in Directory.EnumerateFiles(AttachmentsDir, workload + "@*.json"))
            if (Read(f, NetworkJson.Default.AttachmentRecord) is { } a && a.Container == workload) byNetwork[a.Network] = a;
        if (Read(LegacyAttachmentFile(workload), NetworkJson.Default.AttachmentRecord) is { } legacy && legacy.Container == workload)
            byNetwork.TryAdd(legacy.Network, legacy);
        return [.. byNetwork.Values.OrderBy(a => a.Created).ThenBy(a => a.Network, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Every attachment of every workload (containers and VMs), ordered by workload then network. A legacy
    /// <c>&lt;workload&gt;.json</c> counts unless a <c>&lt;workload&gt;@&lt;network&gt;.json</c> for the same pair exists.
    /// </summary>
    public IReadOnlyList<AttachmentRecord> Attachments()
    {
        if (!Directory.Exists(AttachmentsDir)) return [];
        var byKey = new Dictionary<(string, string), AttachmentRecord>();
        var legacy = new List<AttachmentRecord>();
        foreach (var f in Directory.EnumerateFiles(AttachmentsDir, "*.json"))
        {
            if (Path.GetFileName(f).StartsWith('.')) continue;
            if (Read(f, NetworkJson.Default.AttachmentRecord) is not { } a) continue;
            if (Path.GetFileNameWithoutExtension(f).Contains('@')) byKey[(a.Container, a.Network)] = a;
            else legacy.Add(a);
        }
        foreach (var a in legacy) byKey.TryAdd((a.Container, a.Network), a);
        return [.. byKey.Values.OrderBy(a => a.Container, StringComparer.Ordinal).ThenBy(a => a.Network, StringComparer.Ordinal)];
    }

    /// <summary>Writes <c>&lt;workload&gt;@&lt;network&gt;.json</c> by atomic rename (and drops a legacy file for the same pair).</summary>
    public void SaveAttachment(AttachmentRecord a)
    {
        Write(AttachmentFile(a.Container, a.Network), a, NetworkJson.Default.AttachmentRecord, durable: false);
        DeleteLegacy(a.Container, a.Network);
    }

    public void DeleteAttachment(string workload, string network)
    {
        AtomicFile.TryDelete(AttachmentFile(workload, network));
        DeleteLegacy(workload, network);
    }

    private void DeleteLegacy(string workload, string network)
    {
        if (Read(LegacyAttachmentFile(workload), NetworkJson.Default.AttachmentRecord) is { } legacy && legacy.Network == network)
            AtomicFile.TryDelete(LegacyAttachmentFile(workload));
    }

    internal static T? Read<T>(string path, JsonTypeInfo<T> type) where T : class
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(path), type); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        catch (JsonException e) { throw new VoltException(ExitCode.General, $"Failed reading \"{path}\": corrupt JSON: {e.Message}", e); }
    }

    /// <summary>Atomic replace; <paramref name="durable"/> false skips the fsyncs, for files that describe kernel state
    /// (veths, namespaces, addresses in use) which a machine crash wipes anyway: they only have to outlive a killed
    /// process, which the page cache does (docs/decisions.md, 2026-12-02 s6).</summary>
    internal static void Write<T>(string path, T value, JsonTypeInfo<T> type, bool durable = true) =>
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(value, type), durable);
}
