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
///     └── web.json                {"container","network","bridge","address","prefix_length","gateway",
///                                  "host_veth","target","ports":[{"host_port","container_port","protocol"}],"created"}
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

    public AttachmentRecord? TryGetAttachment(string container) =>
        Read(AttachmentFile(container), NetworkJson.Default.AttachmentRecord);

    public IReadOnlyList<AttachmentRecord> Attachments() =>
        !Directory.Exists(AttachmentsDir) ? [] :
        [.. Directory.EnumerateFiles(AttachmentsDir, "*.json")
            .Select(f => Read(f, NetworkJson.Default.AttachmentRecord))
            .OfType<AttachmentRecord>()
            .OrderBy(a => a.Container, StringComparer.Ordinal)];

    public void SaveAttachment(AttachmentRecord a) => Write(AttachmentFile(a.Container), a, NetworkJson.Default.AttachmentRecord);

    public void DeleteAttachment(string container) => AtomicFile.TryDelete(AttachmentFile(container));

    internal static T? Read<T>(string path, JsonTypeInfo<T> type) where T : class
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(path), type); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        catch (JsonException e) { throw new VoltException(ExitCode.General, $"Failed reading \"{path}\": corrupt JSON: {e.Message}", e); }
    }

    internal static void Write<T>(string path, T value, JsonTypeInfo<T> type) =>
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(value, type));
}
