using System.Text.Json.Serialization;

namespace Volt.Workloads.Containers;

/// <summary>
/// <c>state.json</c>: what is true now, written by whoever supervises the container (voltd, the foreground CLI of
/// <c>volt run</c>, or the systemd driver). Readers (ps, top) re-check <see cref="Pid"/> against /proc.
/// </summary>
public sealed record ContainerState
{
    public ContainerStatus Status { get; init; } = ContainerStatus.Creating;
    /// <summary>The systemd-nspawn process (its child is the container's PID 1).</summary>
    public int? Pid { get; init; }
    /// <summary>Who started it: <c>voltd</c>, <c>systemd</c> or <c>cli</c> (foreground <c>volt run</c>).</summary>
    public string? Supervisor { get; init; }
    public string? Ip { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public int? ExitCode { get; init; }
    public bool OomKilled { get; init; }
    public int Restarts { get; init; }
    /// <summary>The process that is creating the container; a dead creator means an interrupted create.</summary>
    public int? CreatorPid { get; init; }
    public string? Error { get; init; }
}

/// <summary>The plain words <c>volt ps</c> shows.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ContainerStatus>))]
public enum ContainerStatus
{
    [JsonStringEnumMemberName("creating")] Creating,
    [JsonStringEnumMemberName("stopped")] Stopped,
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("failed")] Failed,
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContainerConfig))]
[JsonSerializable(typeof(ContainerState))]
internal sealed partial class ContainerJson : JsonSerializerContext;
