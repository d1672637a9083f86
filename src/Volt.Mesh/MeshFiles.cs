using System.Text.Json;
using Volt.Core.IO;
using Volt.Core.Paths;

namespace Volt.Mesh;

/// <summary>
/// This host's mesh files: <c>/var/lib/volt/mesh/state.json</c> (membership), <c>private.key</c> (0600, never
/// leaves the host), <c>peers.json</c> (the peers last applied) and <c>/var/run/volt/mesh-agent.json</c> (the agent's
/// heartbeat). Every write is atomic.
/// </summary>
public sealed class MeshFiles(VoltPaths paths)
{
    public string Dir => Path.Combine(paths.Lib, "mesh");
    public string StateFile => Path.Combine(Dir, "state.json");
    public string KeyFile => Path.Combine(Dir, "private.key");
    public string PeersFile => Path.Combine(Dir, "peers.json");
    public string AgentFile => Path.Combine(paths.Run, "mesh-agent.json");
    public string RemoteWorkloadsFile => Path.Combine(Dir, RemoteWorkloadsName);
    public const string RemoteWorkloadsName = "remote-workloads.json";
    public string EtcdDataDir => Path.Combine(Dir, "etcd");

    /// <summary><c>/var/log/volt/mesh/wireguard-IFACE.log</c>: what wireguard-go's daemon reports (errors only).</summary>
    public string WireGuardLog(string iface) => Path.Combine(paths.Log, "mesh", $"wireguard-{iface}.log");

    public MeshState? State() => Read(StateFile, MeshJson.Default.MeshState);

    public void SaveState(MeshState s) => AtomicFile.WriteAllBytes(StateFile, JsonSerializer.SerializeToUtf8Bytes(s, MeshJson.Default.MeshState));

    public PeersCache? Peers() => Read(PeersFile, MeshJson.Default.PeersCache);

    public void SavePeers(PeersCache p) => AtomicFile.WriteAllBytes(PeersFile, JsonSerializer.SerializeToUtf8Bytes(p, MeshJson.Default.PeersCache), durable: false);

    public List<RemoteWorkload>? RemoteWorkloads() => Read(RemoteWorkloadsFile, MeshJson.Default.ListRemoteWorkload);

    public void SaveRemoteWorkloads(List<RemoteWorkload> w) =>
        AtomicFile.WriteAllBytes(RemoteWorkloadsFile, JsonSerializer.SerializeToUtf8Bytes(w, MeshJson.Default.ListRemoteWorkload), durable: false);

    public AgentStatus? Agent() => Read(AgentFile, MeshJson.Default.AgentStatus);

    public void SaveAgent(AgentStatus a) => AtomicFile.WriteAllBytes(AgentFile, JsonSerializer.SerializeToUtf8Bytes(a, MeshJson.Default.AgentStatus), durable: false);

    /// <summary>The private key (base64 in a 0600 file, as <c>wg genkey</c> writes it).</summary>
    public byte[]? PrivateKey()
    {
        if (!File.Exists(KeyFile)) return null;
        return Crypto.WgKey.TryParse(File.ReadAllText(KeyFile).Trim(), out var k) ? k : null;
    }

    /// <summary>Writes the key 0600 from the first byte (tmp created 0600, fsynced, renamed).</summary>
    public void SavePrivateKey(byte[] key)
    {
        Directory.CreateDirectory(Dir);
        var tmp = KeyFile + $".{Environment.ProcessId}.tmp";
        var opts = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        using (var f = new FileStream(tmp, opts))
        {
            f.Write(System.Text.Encoding.ASCII.GetBytes(Crypto.WgKey.ToBase64(key) + "\n"));
            f.Flush(true);
        }
        File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(tmp, KeyFile, overwrite: true);
    }

    public void DeleteAll()
    {
        foreach (var f in new[] { StateFile, KeyFile, PeersFile, AgentFile, RemoteWorkloadsFile }) AtomicFile.TryDelete(f);
    }

    private static T? Read<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) where T : class
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(path), info); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        catch (JsonException) { return null; }
    }
}
