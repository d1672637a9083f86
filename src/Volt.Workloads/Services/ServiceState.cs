using System.Text.Json.Serialization;
using Volt.Workloads.Containers;
using Volt.Workloads.Model;

namespace Volt.Workloads.Services;

/// <summary>
/// A service's <c>state.json</c>: what is true now, written atomically by its supervisor. The unit says what was
/// asked; this says what runs. Readers re-check <see cref="Pid"/> and <see cref="PidStartTime"/> against /proc.
/// </summary>
public sealed record ServiceState
{
    public WorkloadStatus Status { get; init; } = WorkloadStatus.Stopped;
    /// <summary>The main process (ExecStart's, the same PID from the launching helper's first instruction on).</summary>
    public int? Pid { get; init; }
    /// <summary>/proc/PID/stat's start time (clock ticks since boot): a recycled PID is never mistaken for the service.</summary>
    public long? PidStartTime { get; init; }
    /// <summary><c>voltd</c> or <c>systemd</c>.</summary>
    public string? Supervisor { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public int? ExitCode { get; init; }
    /// <summary>Restarts the policy made since the user last started the service.</summary>
    public int Restarts { get; init; }
    /// <summary>While <see cref="WorkloadStatus.Restarting"/>: the next attempt and when it is due.</summary>
    public RestartSchedule? Restart { get; init; }
    public string? Error { get; init; }
    /// <summary>What the views show of the unit, with the stamp of the file it was read from (stale when that differs).</summary>
    public ServiceUnitSummary? Unit { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ServiceState))]
[JsonSerializable(typeof(ServiceUnitSummary))]
internal sealed partial class ServiceJson : JsonSerializerContext;
