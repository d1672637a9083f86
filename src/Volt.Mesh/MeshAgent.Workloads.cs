using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Volt.Core.Errors;
using Volt.Mesh.Etcd;

namespace Volt.Mesh;

/// <summary>The agent's workload half (docs/mesh.md, "Workloads"): this host's out to etcd, the others' in for volt-dns.</summary>
public sealed partial class MeshAgent
{
    /// <summary>
    /// Publishes this host's workloads (those on its mesh network) under <c>workloads/HOST</c> with its lease, when
    /// they change: on an attachment file's change (inotify), checked every few seconds besides.
    /// </summary>
    private async Task PublishWorkloadsAsync(EtcdClient client, MeshState state, CancellationTokenSource round)
    {
        if (engine.Network is not { } net) return;
        using var changed = new SemaphoreSlim(0, 1);
        void Poke() { try { if (changed.CurrentCount == 0) changed.Release(); } catch (ObjectDisposedException) { } catch (SemaphoreFullException) { } }
        FileSystemWatcher? watcher = null;
        try
        {
            if (net.WatchDir is { } dir)
            {
                Directory.CreateDirectory(dir);
                watcher = new FileSystemWatcher(dir, "*.json") { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
                watcher.Created += (_, _) => Poke();
                watcher.Changed += (_, _) => Poke();
                watcher.Deleted += (_, _) => Poke();
                watcher.Renamed += (_, _) => Poke();
                watcher.EnableRaisingEvents = true;
            }
            while (!round.IsCancellationRequested)
            {
                var now = net.Local().OrderBy(w => w.Name, StringComparer.Ordinal).ToList();
                var text = JsonSerializer.Serialize(now, MeshJson.Default.ListWorkloadRecord);
                if (text != _published && _lease != 0)
                {
                    await client.PutAsync(MeshLayout.Workloads(state.Mesh) + state.Host, text, _lease, round.Token).ConfigureAwait(false);
                    _published = text;
                    LogPublished(now.Count, net.Name);
                }
                await changed.WaitAsync(TimeSpan.FromSeconds(5), round.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) when (e is VoltException or HttpRequestException or IOException)
        {
            SetReachable(false, e.Message);
            round.Cancel();
        }
        finally { watcher?.Dispose(); }
    }

    /// <summary>
    /// The other hosts' workloads for this host's volt-dns: from <c>workloads/HOST</c> of each configured peer only
    /// (a host that left, expired or was ignored has none), each a DNS label with an address inside that peer's
    /// subnet; written to <see cref="MeshFiles.RemoteWorkloadsFile"/> when it changes.
    /// </summary>
    private async Task SyncRemoteWorkloadsAsync(EtcdClient client, MeshState state, PeerSet set, CancellationToken ct)
    {
        var r = await client.RangeAsync(MeshLayout.Workloads(state.Mesh), prefix: true, ct).ConfigureAwait(false);
        var remote = RemoteWorkloads(set, (r.Kvs ?? []).Select(kv => (Encoding.UTF8.GetString(kv.Key ?? [])[MeshLayout.Workloads(state.Mesh).Length..], kv.Value ?? [])));
        var old = engine.Files.RemoteWorkloads();
        if (old is not null && old.SequenceEqual(remote)) return;
        engine.Files.SaveRemoteWorkloads(remote);
        LogRemoteWorkloads(remote.Count);
        if (engine.Network is { } net)
        {
            // Rules by name on this host follow the other hosts' workloads (their sets are rebuilt from the file).
            try { await net.RemoteWorkloadsChangedAsync(ct).ConfigureAwait(false); }
            catch (VoltException e) { LogFirewallNotUpdated(e.Message); }
        }
    }

    /// <summary>The remote workloads a peer set admits from <c>workloads/HOST</c> values (pure: tested alone).</summary>
    public static List<RemoteWorkload> RemoteWorkloads(PeerSet set, IEnumerable<(string Host, byte[] Value)> records)
    {
        var peers = set.Peers.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var list = new List<RemoteWorkload>();
        foreach (var (host, value) in records)
        {
            if (!peers.TryGetValue(host, out var peer)) continue;
            var subnet = System.Net.IPNetwork.Parse(peer.Subnet);
            var items = MeshEngine.TryRead(value, MeshJson.Default.ListWorkloadRecord) ?? [];
            foreach (var w in items)
            {
                if (w?.Name is not { } name || !IsLabel(name) || !System.Net.IPAddress.TryParse(w.Address ?? "", out var ip) || !subnet.Contains(ip)) continue;
                list.Add(new RemoteWorkload(host, name, ip.ToString()));
            }
        }
        return [.. list.OrderBy(w => w.Host, StringComparer.Ordinal).ThenBy(w => w.Name, StringComparer.Ordinal).Distinct()];
    }

    private static bool IsLabel(string s) => s.Length is > 0 and <= 63 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    [LoggerMessage(EventId = 17026, Level = LogLevel.Information, Message = "Published {Count} workload(s) on network {Network}")]
    private partial void LogPublished(int count, string network);

    [LoggerMessage(EventId = 17027, Level = LogLevel.Information, Message = "Remote workloads for volt-dns: {Count}")]
    private partial void LogRemoteWorkloads(int count);

    [LoggerMessage(EventId = 17030, Level = LogLevel.Warning, Message = "Firewall rules by name not updated for the remote workloads: {Error}")]
    private partial void LogFirewallNotUpdated(string error);

    [LoggerMessage(EventId = 17028, Level = LogLevel.Warning, Message = "Kept network {Network}: {Error}")]
    private partial void LogNetworkKept(string network, string error);
}
