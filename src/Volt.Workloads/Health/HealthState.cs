using System.Text.Json.Serialization;

namespace Volt.Workloads.Health;

/// <summary>
/// <c>health.json</c> beside state.json, Docker's <c>State.Health</c>: the status, the failing streak and the last
/// <see cref="LogSize"/> check results. Written only by the health check (voltd's prober, or
/// <c>volt container healthcheck run</c> under the systemd timer), atomically; <see cref="StartedAt"/> ties it to one
/// run of the container, so a record left from an earlier run reads as <c>starting</c>.
/// </summary>
public sealed record HealthState
{
    public const int LogSize = 5;
    public const int OutputTail = 4096;

    public HealthStatus Status { get; init; } = HealthStatus.Starting;
    public int FailingStreak { get; init; }
    /// <summary>The container's <c>started_at</c> this record belongs to.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    public IReadOnlyList<HealthResult> Log { get; init; } = [];
}

/// <summary>One check: when it ran, its exit code (-1: timed out or could not run) and the tail of its output.</summary>
public sealed record HealthResult(DateTimeOffset Start, DateTimeOffset End, int ExitCode, string Output);

[JsonConverter(typeof(HealthStatusJson))]
public enum HealthStatus
{
    [JsonStringEnumMemberName("starting")] Starting,
    [JsonStringEnumMemberName("healthy")] Healthy,
    [JsonStringEnumMemberName("unhealthy")] Unhealthy,
}

/// <summary><see cref="HealthStatus"/>'s words in JSON, without the stock converter's first-use reflection.</summary>
public sealed class HealthStatusJson() : Volt.Core.Json.WordEnumConverter<HealthStatus>(HealthStatuses.Table);

/// <summary>The words of <see cref="HealthStatus"/>, from its converter's table.</summary>
public static class HealthStatuses
{
    public static readonly Volt.Core.Json.EnumWords<HealthStatus> Table = new((HealthStatus.Starting, "starting"), (HealthStatus.Healthy, "healthy"), (HealthStatus.Unhealthy, "unhealthy"));

    public static string Word(this HealthStatus status) => Table.Word(status);
}
