using System.Text.Json.Serialization;
using Volt.Workloads.Containers;

namespace Volt.Daemon;

/// <summary>voltd's answer to <c>GET /v1/ping</c>: its pid, version, running containers, and the workload kinds it runs.</summary>
public sealed record PingResponse(int Pid, string Version, IReadOnlyList<string> Running, IReadOnlyList<string>? Kinds = null);

/// <summary>
/// One workload as voltd reports it: kind (<see cref="WorkloadKinds"/>), name, status in plain words (<c>running</c>,
/// <c>stopped</c>, <c>failed</c>, <c>restarting</c>, <c>starting</c>, <c>creating</c>, <c>exited</c>), its unit, and the
/// main pid and start time while it runs.
/// </summary>
public sealed record WorkloadSummary(string Kind, string Name, string Status, string? Unit = null, int? Pid = null, DateTimeOffset? StartedAt = null);

/// <summary>The answer to <c>GET /v1/workloads</c> and <c>GET /v1/workloads/{kind}</c>: kind order, then name.</summary>
public sealed record WorkloadList(IReadOnlyList<WorkloadSummary> Workloads);

/// <summary>Every type voltd's routes send or receive (Native AOT: no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PingResponse))]
[JsonSerializable(typeof(WorkloadList))]
[JsonSerializable(typeof(CreateRequest))]
[JsonSerializable(typeof(Volt.Workloads.Tasks.TaskRun))]
internal sealed partial class DaemonJson : JsonSerializerContext;
