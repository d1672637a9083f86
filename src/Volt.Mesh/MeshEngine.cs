using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Paths;
using Volt.Core.Processes;
using Volt.Mesh.Crypto;
using Volt.Mesh.Etcd;
using Volt.Mesh.WireGuard;

namespace Volt.Mesh;

/// <summary>What <c>volt mesh init</c> and <c>join</c> take besides etcd.</summary>
public sealed record HostOptions(string Host, string Interface, int Port, string? Endpoint);

/// <summary>
/// Mesh membership (docs/mesh.md): init, tokens, join, leave, remove, key rotation. Each host's record lives in etcd
/// under its lease; the agent (<see cref="MeshAgent"/>, the volt-mesh service) keeps it alive and applies the others.
/// </summary>
public sealed partial class MeshEngine(VoltPaths paths, IProcessRunner processes, TimeProvider time, ILogger log, IMeshNetwork? network = null)
{
    /// <summary>This host's workload network on the mesh (null: none, e.g. unit tests).</summary>
    public IMeshNetwork? Network => network;

    public const string DefaultInterface = "volt-mesh";
    public const int DefaultPort = 51820;
    public const int DefaultLeaseTtl = 10;

    private readonly ILogger _log = log;

    public MeshFiles Files { get; } = new(paths);

    public MeshState RequireState() => Files.State() ?? throw VoltException.NotFound("this host is in no mesh (volt mesh init or volt mesh join first)");

    /// <summary>Creates the mesh in etcd and makes this host its first member.</summary>
    public async Task<MeshState> InitAsync(IReadOnlyList<string> etcd, string mesh, string cidr, int leaseTtl, HostOptions host, CancellationToken ct)
    {
        MeshLayout.ValidateName(mesh, "--name");
        var net = MeshLayout.ParseCidr(cidr);
        if (leaseTtl is < 2 or > 3600) throw VoltException.Usage($"invalid --lease-ttl {leaseTtl}: 2-3600 seconds");
        CheckHost(host);
        using var client = new EtcdClient(etcd);
        var config = new MeshConfig(mesh, net.ToString(), leaseTtl, time.GetUtcNow());
        var created = await client.TxnAsync(new TxnRequest
        {
            Compare = [new Compare { Key = EtcdClient.Key(MeshLayout.Config(mesh)), Target = "CREATE", CreateRevision = 0 }],
            Success = [new RequestOp { Put = new PutRequest { Key = EtcdClient.Key(MeshLayout.Config(mesh)), Value = JsonSerializer.SerializeToUtf8Bytes(config, MeshJson.Default.MeshConfig) } }],
        }, ct).ConfigureAwait(false);
        if (!created) throw VoltException.Exists($"mesh \"{mesh}\" already exists in etcd at {client.Shown} (join it with a token from volt mesh token)");
        return await JoinCoreAsync(client, etcd, config, null, host, ct).ConfigureAwait(false);
    }

    /// <summary>A join token admitting one host until <paramref name="ttl"/> from now.</summary>
    public async Task<JoinToken> CreateTokenAsync(TimeSpan ttl, CancellationToken ct)
    {
        if (ttl < TimeSpan.FromSeconds(10) || ttl > TimeSpan.FromDays(7)) throw VoltException.Usage("invalid --ttl: 10s to 7d");
        var s = RequireState();
        using var client = new EtcdClient(s.Etcd);
        var token = JoinToken.New(s.Mesh, time.GetUtcNow() + ttl);
        var lease = await client.LeaseGrantAsync((long)Math.Ceiling(ttl.TotalSeconds) + 5, ct).ConfigureAwait(false);
        var rec = new TokenRecord(token.SecretHash, token.Expires, s.Host);
        await client.PutAsync(MeshLayout.Token(s.Mesh, token.Id), JsonSerializer.Serialize(rec, MeshJson.Default.TokenRecord), lease, ct).ConfigureAwait(false);
        return token;
    }

    /// <summary>
    /// Joins with a token: expired → refused before etcd is asked; forged or used → refused after one read; a taken
    /// host name → exit 4; etcd unreachable → exit 8 naming it. Nothing is written to etcd unless all checks pass.
    /// </summary>
    public async Task<MeshState> JoinAsync(IReadOnlyList<string> etcd, string tokenText, HostOptions host, CancellationToken ct)
    {
        var token = JoinToken.Parse(tokenText);
        CheckHost(host);
        if (token.Expires <= time.GetUtcNow()) throw new VoltException(ExitCode.Permission, $"join token refused: it expired at {token.Expires:u} (make a new one with volt mesh token)");
        using var client = new EtcdClient(etcd);
        var configKv = await client.GetAsync(MeshLayout.Config(token.Mesh), ct).ConfigureAwait(false)
            ?? throw new VoltException(ExitCode.Permission, $"join token refused: etcd at {client.Shown} holds no mesh \"{token.Mesh}\"");
        var config = JsonSerializer.Deserialize(configKv.Value, MeshJson.Default.MeshConfig)!;
        var tokenKv = await client.GetAsync(MeshLayout.Token(token.Mesh, token.Id), ct).ConfigureAwait(false);
        var record = tokenKv?.Value is { } v ? TryRead(v, MeshJson.Default.TokenRecord) : null;
        if (record is null || !token.Matches(record, time.GetUtcNow()))
            throw new VoltException(ExitCode.Permission, "join token refused: unknown, already used, expired or forged");
        return await JoinCoreAsync(client, etcd, config, (token, tokenKv!.ModRevision), host, ct).ConfigureAwait(false);
    }

    private void CheckHost(HostOptions host)
    {
        MeshLayout.ValidateName(host.Host, "--host-name");
        WgDevice.ValidateName(host.Interface);
        if (host.Port is < 1 or > 65535) throw VoltException.Usage($"invalid --port {host.Port}: 1-65535");
        if (host.Endpoint is { } e && !IPAddress.TryParse(e, out _) && !IPEndPoint.TryParse(e, out _)) throw VoltException.Usage($"invalid --endpoint \"{e}\": ADDR or ADDR:PORT");
        if (Files.State() is { } s) throw VoltException.Exists($"this host is already {s.Host} in mesh \"{s.Mesh}\" (volt mesh leave first)");
    }

    private async Task<MeshState> JoinCoreAsync(EtcdClient client, IReadOnlyList<string> etcd, MeshConfig config,
        (JoinToken Token, long ModRevision)? token, HostOptions host, CancellationToken ct)
    {
        var mesh = config.Name;
        var net = MeshLayout.ParseCidr(config.Cidr);
        if (await client.GetAsync(MeshLayout.Host(mesh, host.Host), ct).ConfigureAwait(false) is not null)
            throw VoltException.Exists($"a host named \"{host.Host}\" is already in mesh \"{mesh}\" (pick another --host-name, or volt mesh remove {host.Host})");
        var endpoint = await EndpointAsync(client, host, ct).ConfigureAwait(false);
        var key = X25519.NewPrivateKey();
        var pub = WgKey.ToBase64(X25519.PublicKey(key));
        var device = Device(host.Interface);
        await using var rev = new Reverter(_log);
        try
        {
            await device.CreateAsync(ct).ConfigureAwait(false);
            rev.Add($"delete interface {host.Interface}", c => device.DeleteAsync(c));
            await device.Uapi.SetDeviceAsync(key, host.Port, ct).ConfigureAwait(false);
            var lease = await client.LeaseGrantAsync(config.LeaseTtl, ct).ConfigureAwait(false);
            rev.Add("revoke the etcd lease", c => client.LeaseRevokeAsync(lease, c));
            var record = await ClaimAsync(client, config, net, host.Host, pub, endpoint, lease, token, ct).ConfigureAwait(false);
            await device.AddressAsync(record.MeshIp, MeshLayout.HostPrefix, ct).ConfigureAwait(false);
            if (network is not null)
            {
                await network.EnsureAsync(record.Subnet, config.Cidr, ct).ConfigureAwait(false);
                rev.Add($"delete network {network.Name}", async c => await network.RemoveAsync(c).ConfigureAwait(false));
            }
            var state = new MeshState(mesh, [.. etcd], host.Host, host.Interface, host.Port, endpoint, record.MeshIp, record.Subnet,
                record.Index, config.Cidr, config.LeaseTtl, record.Joined);
            Files.SavePrivateKey(key);
            rev.Add("delete the mesh files", Files.DeleteAll);
            Files.SaveState(state);
            // The first sync before returning: the peers are configured when join returns; the agent keeps them.
            var applier = new PeerApplier(device.Uapi, _log, device);
            var (set, revision) = await MeshAgent.ReadPeersAsync(client, state, ct).ConfigureAwait(false);
            await applier.ApplyAsync(set, ct).ConfigureAwait(false);
            Files.SavePeers(new PeersCache([.. set.Peers], [.. set.Ignored], time.GetUtcNow(), revision));
            Files.SaveAgent(new AgentStatus(Environment.ProcessId, true, time.GetUtcNow(), time.GetUtcNow(), null, lease));
            rev.Commit();
            LogJoined(host.Host, mesh, record.MeshIp, record.Subnet);
            return state;
        }
        catch (Exception e)
        {
            await rev.RevertAsync(e).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Takes the lowest free host number and writes the host record, both under the lease, in one transaction that
    /// also consumes the token (its mod revision unchanged) and requires the name to be free.
    /// </summary>
    private async Task<HostRecord> ClaimAsync(EtcdClient client, MeshConfig config, IPNetwork net, string host, string pub, string endpoint,
        long lease, (JoinToken Token, long ModRevision)? token, CancellationToken ct)
    {
        var mesh = config.Name;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var used = new HashSet<int>();
            foreach (var kv in (await client.RangeAsync(MeshLayout.Allocs(mesh), prefix: true, ct).ConfigureAwait(false)).Kvs ?? [])
                if (int.TryParse(Encoding.UTF8.GetString(kv.Key!)[MeshLayout.Allocs(mesh).Length..], out var u)) used.Add(u);
            var n = Enumerable.Range(1, MeshLayout.MaxHosts(net)).FirstOrDefault(i => !used.Contains(i));
            if (n == 0) throw new VoltException(ExitCode.Resource, $"mesh \"{mesh}\" is full ({MeshLayout.MaxHosts(net)} hosts in {net})");
            var record = new HostRecord(host, pub, endpoint, MeshLayout.HostAddress(net, n).ToString(), MeshLayout.Subnet(net, n).ToString(), n, time.GetUtcNow());
            var hostKey = EtcdClient.Key(MeshLayout.Host(mesh, host));
            var allocKey = EtcdClient.Key(MeshLayout.Alloc(mesh, n));
            var txn = new TxnRequest
            {
                Compare =
                [
                    new Compare { Key = hostKey, Target = "CREATE", CreateRevision = 0 },
                    new Compare { Key = allocKey, Target = "CREATE", CreateRevision = 0 },
                ],
                Success =
                [
                    new RequestOp { Put = new PutRequest { Key = allocKey, Value = Encoding.UTF8.GetBytes(host), Lease = lease } },
                    new RequestOp { Put = new PutRequest { Key = hostKey, Value = JsonSerializer.SerializeToUtf8Bytes(record, MeshJson.Default.HostRecord), Lease = lease } },
                    new RequestOp { Delete = new DeleteRangeRequest { Key = EtcdClient.Key(MeshLayout.Removed(mesh, host)) } },
                ],
            };
            if (token is { } t)
            {
                var tk = EtcdClient.Key(MeshLayout.Token(mesh, t.Token.Id));
                txn.Compare.Add(new Compare { Key = tk, Target = "MOD", ModRevision = t.ModRevision });
                txn.Success.Add(new RequestOp { Delete = new DeleteRangeRequest { Key = tk } });
            }
            if (await client.TxnAsync(txn, ct).ConfigureAwait(false)) return record;
            if (await client.GetAsync(MeshLayout.Host(mesh, host), ct).ConfigureAwait(false) is not null)
                throw VoltException.Exists($"a host named \"{host}\" is already in mesh \"{mesh}\"");
            if (token is { } t2)
            {
                var still = await client.GetAsync(MeshLayout.Token(mesh, t2.Token.Id), ct).ConfigureAwait(false);
                if (still is null || still.ModRevision != t2.ModRevision)
                    throw new VoltException(ExitCode.Permission, "join token refused: another host used it first");
            }
            // Someone took host number n meanwhile: try the next free one.
        }
        throw VoltException.Conflict($"could not allocate a host number in mesh \"{mesh}\" (too many concurrent joins)");
    }

    /// <summary>--endpoint, else this host's address on the route toward the first etcd endpoint, with --port.</summary>
    private static async Task<string> EndpointAsync(EtcdClient client, HostOptions host, CancellationToken ct)
    {
        if (host.Endpoint is { } e) return IPEndPoint.TryParse(e, out var ep) && ep.Port != 0 ? ep.ToString() : new IPEndPoint(IPAddress.Parse(e), host.Port).ToString();
        var target = client.Endpoints[0];
        var addrs = IPAddress.TryParse(target.Host, out var a) ? [a] : await Dns.GetHostAddressesAsync(target.Host, ct).ConfigureAwait(false);
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Connect(new IPEndPoint(addrs.First(x => x.AddressFamily == AddressFamily.InterNetwork), target.Port));
        return new IPEndPoint(((IPEndPoint)s.LocalEndPoint!).Address, host.Port).ToString();
    }

    /// <summary>Leaves: the record and allocation go from etcd (best effort when it is unreachable), the interface and files locally.</summary>
    public async Task<(MeshState State, string? EtcdError, string? NetworkNote)> LeaveAsync(CancellationToken ct)
    {
        var s = RequireState();
        string? etcdError = null;
        using (var client = new EtcdClient(s.Etcd, TimeSpan.FromSeconds(3)))
        {
            try
            {
                // Best effort: a lease that already expired answers 404, and the deletes below still have to run.
                if (Files.Agent() is { Lease: > 0 } a)
                {
                    try { await client.LeaseRevokeAsync(a.Lease, ct).ConfigureAwait(false); }
                    catch (VoltException) { }
                }
                await client.DeleteAsync(MeshLayout.Host(s.Mesh, s.Host), ct: ct).ConfigureAwait(false);
                await client.DeleteAsync(MeshLayout.Alloc(s.Mesh, s.Index), ct: ct).ConfigureAwait(false);
                await client.DeleteAsync(MeshLayout.Workloads(s.Mesh) + s.Host, ct: ct).ConfigureAwait(false);
            }
            catch (VoltException e) when (e.Code == ExitCode.Network) { etcdError = e.Message; }
        }
        await new WgDevice(processes, s.Interface).DeleteAsync(ct).ConfigureAwait(false);
        string? networkNote = null;
        if (network is not null)
        {
            try
            {
                if (!await network.RemoveAsync(ct).ConfigureAwait(false))
                    networkNote = $"network {network.Name} kept: workloads are still attached to it (volt net delete {network.Name} once they are gone)";
            }
            catch (VoltException e) { networkNote = $"network {network.Name} kept: {e.Message}"; }
        }
        Files.DeleteAll();
        LogLeft(s.Host, s.Mesh);
        return (s, etcdError, networkNote);
    }

    /// <summary>Removes another host: its record and allocation go, and a <c>removed/HOST</c> marker stops its agent re-registering.</summary>
    public async Task<HostRecord> RemoveAsync(string host, CancellationToken ct)
    {
        MeshLayout.ValidateName(host, "HOST");
        var s = RequireState();
        using var client = new EtcdClient(s.Etcd);
        var kv = await client.GetAsync(MeshLayout.Host(s.Mesh, host), ct).ConfigureAwait(false)
            ?? throw VoltException.NotFound($"no host \"{host}\" in mesh \"{s.Mesh}\"");
        var rec = TryRead(kv.Value!, MeshJson.Default.HostRecord) ?? new HostRecord(host, "", "", "", "", 0, default);
        await client.PutAsync(MeshLayout.Removed(s.Mesh, host), rec.PublicKey, ct: ct).ConfigureAwait(false);
        await client.DeleteAsync(MeshLayout.Host(s.Mesh, host), ct: ct).ConfigureAwait(false);
        if (rec.Index > 0) await client.DeleteAsync(MeshLayout.Alloc(s.Mesh, rec.Index), ct: ct).ConfigureAwait(false);
        await client.DeleteAsync(MeshLayout.Workloads(s.Mesh) + host, ct: ct).ConfigureAwait(false);
        return rec;
    }

    /// <summary>
    /// A new key pair: the device takes the new private key and the record the new public key in one step each; peers
    /// re-handshake within one handshake of seeing the record (the agent's watch).
    /// </summary>
    public async Task<string> RotateKeyAsync(CancellationToken ct)
    {
        var s = RequireState();
        using var client = new EtcdClient(s.Etcd);
        var kv = await client.GetAsync(MeshLayout.Host(s.Mesh, s.Host), ct).ConfigureAwait(false)
            ?? throw new VoltException(ExitCode.Network, $"this host's record is not in etcd at {client.Shown} (is the volt-mesh agent running?)");
        var rec = TryRead(kv.Value!, MeshJson.Default.HostRecord)!;
        var key = X25519.NewPrivateKey();
        var pub = WgKey.ToBase64(X25519.PublicKey(key));
        // Order matters for the gap: the key file first (the agent re-registers with it), then the device, then the
        // record. Peers that see the record make a new peer for the new key and their next packet's handshake meets a
        // device that already answers to it; the other order would have their first initiation dropped and retried
        // only after REKEY_TIMEOUT (5 s).
        Files.SavePrivateKey(key);
        await new WgDevice(processes, s.Interface).Uapi.SetDeviceAsync(key, null, ct).ConfigureAwait(false);
        await client.PutAsync(MeshLayout.Host(s.Mesh, s.Host), JsonSerializer.Serialize(rec with { PublicKey = pub }, MeshJson.Default.HostRecord), kv.Lease, ct).ConfigureAwait(false);
        LogRotated(s.Host, pub);
        return pub;
    }

    /// <summary>The WireGuard device for <paramref name="iface"/>, its daemon logging to <see cref="MeshFiles.WireGuardLog"/>.</summary>
    internal WgDevice Device(string iface) => new(processes, iface, Files.WireGuardLog(iface), LogWireGuardRetry);

    internal static T? TryRead<T>(byte[] value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) where T : class
    {
        try { return JsonSerializer.Deserialize(value, info); }
        catch (JsonException) { return null; }
    }

    [LoggerMessage(EventId = 17001, Level = LogLevel.Information, Message = "Joined mesh {Mesh} as {Host}: {MeshIp}, subnet {Subnet}")]
    private partial void LogJoined(string host, string mesh, string meshIp, string subnet);

    [LoggerMessage(EventId = 17003, Level = LogLevel.Information, Message = "{Host} rotated its key: {PublicKey}")]
    private partial void LogRotated(string host, string publicKey);

    [LoggerMessage(EventId = 17029, Level = LogLevel.Warning, Message = "{Message}")]
    private partial void LogWireGuardRetry(string message);

    [LoggerMessage(EventId = 17002, Level = LogLevel.Information, Message = "{Host} left mesh {Mesh}")]
    private partial void LogLeft(string host, string mesh);
}
