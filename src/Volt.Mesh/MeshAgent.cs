using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Volt.Core.Errors;
using Volt.Core.Processes;
using Volt.Mesh.Crypto;
using Volt.Mesh.Etcd;
using Volt.Mesh.WireGuard;

namespace Volt.Mesh;

/// <summary>
/// The volt-mesh service (<c>volt mesh agent</c>): keeps this host's lease alive, re-registers after it expired,
/// watches the mesh's prefix and applies every change to the WireGuard device within the watch's latency. When etcd
/// is unreachable the device keeps the last peers it had (the data path never depends on etcd) and the heartbeat
/// file says etcd is unreachable, which <c>volt mesh status</c> shows as stale.
/// </summary>
public sealed partial class MeshAgent(MeshEngine engine, IProcessRunner processes, TimeProvider time, ILogger log)
{
    private const long Removed = -1, Reregister = -2;
    private readonly ILogger _log = log;
    private long _lease;
    private DateTimeOffset? _lastSync;
    private string? _lastError;
    private bool _reachable;
    private volatile string? _published;

    /// <summary>Runs until <paramref name="ct"/> fires, or returns when this host was removed from the mesh.</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var state = engine.RequireState();
        var key = engine.Files.PrivateKey() ?? throw new VoltException(ExitCode.InvalidConfig, $"{engine.Files.KeyFile} is missing or not a WireGuard key");
        var device = engine.Device(state.Interface);
        if (!await device.LinkExistsAsync(ct).ConfigureAwait(false))
        {
            await device.CreateAsync(ct).ConfigureAwait(false);
            await device.Uapi.SetDeviceAsync(key, state.Port, ct).ConfigureAwait(false);
            await device.AddressAsync(state.MeshIp, MeshLayout.HostPrefix, ct).ConfigureAwait(false);
            LogRecreated(state.Interface);
        }
        _lease = engine.Files.Agent()?.Lease ?? 0;
        var applier = new PeerApplier(device.Uapi, _log, device);
        using var client = new EtcdClient(state.Etcd, TimeSpan.FromSeconds(3));
        LogStarted(state.Host, state.Mesh, state.Interface);
        while (!ct.IsCancellationRequested)
        {
            using var round = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var removed = false;
            Task? keepalive = null;
            try
            {
                if (_lease == 0 || await client.LeaseKeepAliveAsync(_lease, ct).ConfigureAwait(false) == 0)
                    _lease = await RegisterAsync(client, state, ct).ConfigureAwait(false);
                var revision = await SyncAsync(client, state, applier, ct).ConfigureAwait(false);
                if (revision == Removed) return 0;
                if (revision == Reregister) continue;
                SetReachable(true, null);
                keepalive = Task.WhenAll(KeepAliveAsync(client, state, round), PublishWorkloadsAsync(client, state, round));
                await client.WatchAsync(MeshLayout.Prefix(state.Mesh), revision + 1, async (_, _) =>
                {
                    var r = await SyncAsync(client, state, applier, round.Token).ConfigureAwait(false);
                    if (r == Removed) { removed = true; round.Cancel(); }
                    else if (r == Reregister) round.Cancel();
                }, null, round.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (OperationCanceledException) { }
            catch (Exception e) when (e is VoltException or HttpRequestException or IOException or JsonException)
            {
                if (_reachable || _lastError != e.Message) LogEtcdLost(e.Message);
                SetReachable(false, e.Message);
            }
            finally
            {
                round.Cancel();
                if (keepalive is not null) await keepalive.ConfigureAwait(false);
            }
            if (removed || engine.Files.State() is null) return 0;
            try { await Task.Delay(500, ct).ConfigureAwait(false); } catch (OperationCanceledException) { break; }
        }
        return 0;
    }

    /// <summary>Renews the lease every third of its TTL; a lost lease or etcd ends the round (the loop re-registers or waits).</summary>
    private async Task KeepAliveAsync(EtcdClient client, MeshState state, CancellationTokenSource round)
    {
        var every = TimeSpan.FromSeconds(Math.Max(1, state.LeaseTtl / 3.0));
        try
        {
            while (!round.IsCancellationRequested)
            {
                await Task.Delay(every, time, round.Token).ConfigureAwait(false);
                if (await client.LeaseKeepAliveAsync(_lease, round.Token).ConfigureAwait(false) == 0)
                {
                    LogLeaseLost(_lease);
                    _lease = 0;
                    round.Cancel();
                }
                else SetReachable(true, null);
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) when (e is VoltException or HttpRequestException or IOException)
        {
            SetReachable(false, e.Message);
            round.Cancel();
        }
    }

    /// <summary>A new lease and this host's record under it (after the old lease expired, or at a restart).</summary>
    private async Task<long> RegisterAsync(EtcdClient client, MeshState state, CancellationToken ct)
    {
        // Read again each time: volt mesh rotate-key may have replaced it since the agent started.
        var key = engine.Files.PrivateKey() ?? throw new VoltException(ExitCode.InvalidConfig, $"{engine.Files.KeyFile} is missing or not a WireGuard key");
        _published = null;
        var pub = WgKey.ToBase64(X25519.PublicKey(key));
        var existing = await client.GetAsync(MeshLayout.Host(state.Mesh, state.Host), ct).ConfigureAwait(false);
        if (existing?.Value is { } v && MeshEngine.TryRead(v, MeshJson.Default.HostRecord) is { } r && r.PublicKey != pub)
            throw VoltException.Exists($"another host holds the name \"{state.Host}\" in mesh \"{state.Mesh}\"");
        var alloc = await client.GetAsync(MeshLayout.Alloc(state.Mesh, state.Index), ct).ConfigureAwait(false);
        if (alloc?.Value is { } a && Encoding.UTF8.GetString(a) != state.Host)
            throw VoltException.Conflict($"host number {state.Index} of mesh \"{state.Mesh}\" was given to {Encoding.UTF8.GetString(a)}");
        var lease = await client.LeaseGrantAsync(state.LeaseTtl, ct).ConfigureAwait(false);
        var rec = new HostRecord(state.Host, pub, state.Endpoint, state.MeshIp, state.Subnet, state.Index, state.Joined);
        await client.PutAsync(MeshLayout.Alloc(state.Mesh, state.Index), state.Host, lease, ct).ConfigureAwait(false);
        await client.PutAsync(MeshLayout.Host(state.Mesh, state.Host), JsonSerializer.Serialize(rec, MeshJson.Default.HostRecord), lease, ct).ConfigureAwait(false);
        LogRegistered(state.Host, lease);
        return lease;
    }

    /// <summary>Reads the hosts, applies them; the revision read, or -1 when this host was removed (it then leaves).</summary>
    private async Task<long> SyncAsync(EtcdClient client, MeshState state, PeerApplier applier, CancellationToken ct)
    {
        var (set, revision) = await ReadPeersAsync(client, state, ct).ConfigureAwait(false);
        if (set.Self is null && await client.GetAsync(MeshLayout.Removed(state.Mesh, state.Host), ct).ConfigureAwait(false) is not null)
        {
            LogRemoved(state.Host, state.Mesh);
            await new WgDevice(processes, state.Interface).DeleteAsync(CancellationToken.None).ConfigureAwait(false);
            if (engine.Network is { } net)
            {
                try { await net.RemoveAsync(CancellationToken.None).ConfigureAwait(false); }
                catch (VoltException e) { LogNetworkKept(net.Name, e.Message); }
            }
            engine.Files.DeleteAll();
            return Removed;
        }
        await applier.ApplyAsync(set, ct).ConfigureAwait(false);
        await SyncRemoteWorkloadsAsync(client, state, set, ct).ConfigureAwait(false);
        _lastSync = time.GetUtcNow();
        engine.Files.SavePeers(new PeersCache([.. set.Peers], [.. set.Ignored], _lastSync.Value, revision));
        if (set.Self is null)
        {
            LogLeaseLost(_lease);
            _lease = 0;
            return Reregister;
        }
        return revision;
    }

    /// <summary>The hosts under the mesh's prefix as a validated <see cref="PeerSet"/>, and the store's revision.</summary>
    public static async Task<(PeerSet Set, long Revision)> ReadPeersAsync(EtcdClient client, MeshState state, CancellationToken ct)
    {
        var r = await client.RangeAsync(MeshLayout.Hosts(state.Mesh), prefix: true, ct).ConfigureAwait(false);
        var set = PeerSet.Build((r.Kvs ?? []).Select(kv => (kv.Value ?? [], kv.CreateRevision, kv.ModRevision)), state.Host, System.Net.IPNetwork.Parse(state.Cidr));
        return (set, r.Header?.Revision ?? 0);
    }

    private void SetReachable(bool reachable, string? error)
    {
        _reachable = reachable;
        _lastError = error;
        try { engine.Files.SaveAgent(new AgentStatus(Environment.ProcessId, reachable, time.GetUtcNow(), _lastSync, error, _lease)); }
        catch (IOException) { }
    }

    [LoggerMessage(EventId = 17020, Level = LogLevel.Information, Message = "volt-mesh agent for {Host} in mesh {Mesh} on {Interface}")]
    private partial void LogStarted(string host, string mesh, string @interface);

    [LoggerMessage(EventId = 17021, Level = LogLevel.Warning, Message = "etcd unreachable, keeping the last known peers: {Error}")]
    private partial void LogEtcdLost(string error);

    [LoggerMessage(EventId = 17022, Level = LogLevel.Warning, Message = "Lease {Lease} expired: registering again")]
    private partial void LogLeaseLost(long lease);

    [LoggerMessage(EventId = 17023, Level = LogLevel.Information, Message = "Registered {Host} under lease {Lease}")]
    private partial void LogRegistered(string host, long lease);

    [LoggerMessage(EventId = 17024, Level = LogLevel.Warning, Message = "{Host} was removed from mesh {Mesh}: leaving")]
    private partial void LogRemoved(string host, string mesh);

    [LoggerMessage(EventId = 17025, Level = LogLevel.Information, Message = "Interface {Interface} was gone: created it again")]
    private partial void LogRecreated(string @interface);
}
