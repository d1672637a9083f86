using System.Text.Json.Serialization;

namespace Volt.Daemon;

/// <summary>voltd's answer to <c>GET /v1/ping</c>.</summary>
public sealed record PingResponse(int Pid, string Version, IReadOnlyList<string> Running);

/// <summary>Every error body: the exit code the CLI should return and the message.</summary>
public sealed record ErrorResponse(int Code, string Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PingResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(Volt.Workloads.Containers.CreateRequest))]
[JsonSerializable(typeof(Volt.Workloads.Tasks.TaskRun))]
internal sealed partial class DaemonJson : JsonSerializerContext;
