using System.Text.Json.Serialization;

namespace Volt.Mesh;

/// <summary><c>PREFIX/config</c>: the mesh itself, written once by <c>volt mesh init</c>.</summary>
public sealed record MeshConfig(string Name, string Cidr, int LeaseTtl, DateTimeOffset Created);

/// <summary><c>PREFIX/hosts/NAME</c>: one host, under its lease (it vanishes when the host stops renewing).</summary>
public sealed record HostRecord(string Name, string PublicKey, string Endpoint, string MeshIp, string Subnet, int Index, DateTimeOffset Joined);

/// <summary><c>PREFIX/tokens/ID</c>: a join token's hash and expiry (under a lease of the token's lifetime).</summary>
public sealed record TokenRecord(string Sha256, DateTimeOffset Expires, string CreatedBy);

/// <summary><c>PREFIX/workloads/HOST</c>: the names of a host's workloads on its mesh subnet (for volt-dns elsewhere).</summary>
public sealed record WorkloadRecord(string Name, string Address);

/// <summary>
/// One workload of another host as this host's volt-dns answers it (<c>/var/lib/volt/mesh/remote-workloads.json</c>,
/// written by the agent from etcd; volt-dns reads the same shape): <c>NAME.HOST.mesh</c>, and <c>NAME</c> when unique.
/// </summary>
public sealed record RemoteWorkload(string Host, string Name, string Address);

/// <summary>This host's membership, kept locally (<c>/var/lib/volt/mesh/state.json</c>; the key is beside it, 0600).</summary>
public sealed record MeshState(string Mesh, List<string> Etcd, string Host, string Interface, int Port, string Endpoint,
    string MeshIp, string Subnet, int Index, string Cidr, int LeaseTtl, DateTimeOffset Joined);

/// <summary>What the agent last applied (<c>/var/lib/volt/mesh/peers.json</c>): the data path's view when etcd is gone.</summary>
public sealed record PeersCache(List<HostRecord> Peers, List<string> Ignored, DateTimeOffset Synced, long Revision);

/// <summary>The agent's heartbeat (<c>/var/run/volt/mesh-agent.json</c>).</summary>
public sealed record AgentStatus(int Pid, bool EtcdReachable, DateTimeOffset Updated, DateTimeOffset? LastSync, string? LastError, long Lease);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(MeshConfig))]
[JsonSerializable(typeof(HostRecord))]
[JsonSerializable(typeof(TokenRecord))]
[JsonSerializable(typeof(List<WorkloadRecord>))]
[JsonSerializable(typeof(List<RemoteWorkload>))]
[JsonSerializable(typeof(MeshState))]
[JsonSerializable(typeof(PeersCache))]
[JsonSerializable(typeof(AgentStatus))]
internal sealed partial class MeshJson : JsonSerializerContext;
