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
    /// <summary>Restarts the restart policy made since the user last started the container.</summary>
    public int Restarts { get; init; }
    /// <summary>
    /// While <see cref="ContainerStatus.Restarting"/>: which attempt comes next and when. Persisted so a voltd that
    /// re-adopts the container after a crash resumes the schedule instead of forgetting it.
    /// </summary>
    public RestartSchedule? Restart { get; init; }
    /// <summary>The process that is creating the container; a dead creator means an interrupted create.</summary>
    public int? CreatorPid { get; init; }
    public string? Error { get; init; }
}

/// <summary>The plain words <c>volt ps</c> shows.</summary>
[JsonConverter(typeof(ContainerStatusJson))]
public enum ContainerStatus
{
    [JsonStringEnumMemberName("creating")] Creating,
    [JsonStringEnumMemberName("stopped")] Stopped,
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("failed")] Failed,
    /// <summary>Exited; the restart policy waits out its back-off before the next start (see <see cref="ContainerState.Restart"/>).</summary>
    [JsonStringEnumMemberName("restarting")] Restarting,
}

/// <summary>The pending restart of a container in back-off: attempt number (1 = first restart) and its due time.</summary>
public sealed record RestartSchedule(int Attempt, DateTimeOffset NextAt);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContainerConfig))]
[JsonSerializable(typeof(ContainerState))]
[JsonSerializable(typeof(Health.HealthState))]
internal sealed partial class ContainerJson : JsonSerializerContext;

/// <summary><see cref="ContainerStatus"/>'s words in JSON, without the stock converter's first-use reflection.</summary>
public sealed class ContainerStatusJson() : Volt.Core.Json.WordEnumConverter<ContainerStatus>(ContainerStatuses.Table);

/// <summary>The words of <see cref="ContainerStatus"/>: its JSON converter's table (no <c>Enum.ToString</c>, which reads the enum's metadata at first use).</summary>
public static class ContainerStatuses
{
    public static readonly Volt.Core.Json.EnumWords<ContainerStatus> Table = new((ContainerStatus.Creating, "creating"), (ContainerStatus.Stopped, "stopped"), (ContainerStatus.Running, "running"), (ContainerStatus.Failed, "failed"), (ContainerStatus.Restarting, "restarting"));

    public static string Word(this ContainerStatus status) => Table.Word(status);
}
