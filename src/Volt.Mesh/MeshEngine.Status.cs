using System.Net;
using Volt.Core.Errors;
using Volt.Mesh.Crypto;
using Volt.Mesh.Etcd;
using Volt.Mesh.WireGuard;

namespace Volt.Mesh;

/// <summary>This host as <c>volt mesh status</c> shows it.</summary>
public sealed record MeshStatus(MeshState State, string PublicKey, string Mode, string KernelSupport, bool InterfaceUp,
    bool EtcdReachable, string? EtcdError, bool Stale, int Peers, DateTimeOffset? LastSync, bool AgentRunning);

/// <summary>One row of <c>volt mesh peers</c>.</summary>
public sealed record MeshPeer(string Name, string MeshIp, string Endpoint, string Subnets, DateTimeOffset? LastHandshake, long Rx, long Tx, string PublicKey);

public sealed partial class MeshEngine
{
    /// <summary>This host's membership, checked against etcd (a short timeout: unreachable → stale, not an error).</summary>
    public async Task<MeshStatus> StatusAsync(CancellationToken ct)
    {
        var s = RequireState();
        var key = Files.PrivateKey();
        var pub = key is null ? "(missing)" : WgKey.ToBase64(X25519.PublicKey(key));
        var device = new WgDevice(processes, s.Interface);
        var up = await device.LinkExistsAsync(ct).ConfigureAwait(false);
        bool reachable;
        string? error = null;
        using (var client = new EtcdClient(s.Etcd, TimeSpan.FromSeconds(2)))
        {
            try { await client.GetAsync(MeshLayout.Config(s.Mesh), ct).ConfigureAwait(false); reachable = true; }
            catch (VoltException e) when (e.Code == ExitCode.Network) { reachable = false; error = e.Message; }
        }
        var agent = Files.Agent();
        var agentRunning = agent is not null && agent.Pid != Environment.ProcessId && Directory.Exists($"/proc/{agent.Pid}");
        var stale = !reachable || agent is null || !agent.EtcdReachable || !agentRunning;
        var peers = Files.Peers();
        return new MeshStatus(s, pub, WgDevice.Mode, WgDevice.KernelSupport, up, reachable, error, stale, peers?.Peers.Count ?? 0, peers?.Synced, agentRunning);
    }

    /// <summary>The peers last applied, with the device's handshake and traffic counters.</summary>
    public async Task<IReadOnlyList<MeshPeer>> PeersAsync(CancellationToken ct)
    {
        var s = RequireState();
        var cache = Files.Peers() ?? new PeersCache([], [], default, 0);
        var live = new Dictionary<string, WgPeerStatus>(StringComparer.Ordinal);
        try { foreach (var p in (await new UapiClient(UapiClient.SocketFor(s.Interface)).GetAsync(ct).ConfigureAwait(false)).Peers) live[p.PublicKey] = p; }
        catch (VoltException) { }
        return [.. cache.Peers.OrderBy(p => p.Index).Select(p =>
        {
            live.TryGetValue(p.PublicKey, out var l);
            return new MeshPeer(p.Name, p.MeshIp, l?.Endpoint ?? p.Endpoint, p.Subnet, l?.LastHandshake, l?.RxBytes ?? 0, l?.TxBytes ?? 0, p.PublicKey);
        })];
    }

    internal static bool IsIp(string s) => IPAddress.TryParse(s, out _);
}
