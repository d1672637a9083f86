using System.Text.Json.Serialization;

namespace Volt.Workloads.Model;

/// <summary>The plain words every kind's status is shown in (<c>volt ps</c>, <c>volt service list</c>).</summary>
[JsonConverter(typeof(WorkloadStatusJson))]
public enum WorkloadStatus
{
    [JsonStringEnumMemberName("stopped")] Stopped,
    [JsonStringEnumMemberName("starting")] Starting,
    [JsonStringEnumMemberName("running")] Running,
    /// <summary>Exited; the restart policy waits out its back-off before the next start.</summary>
    [JsonStringEnumMemberName("restarting")] Restarting,
    /// <summary>Exited non-zero (or killed, or its start failed) and no restart is pending.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
    /// <summary>Ran to completion with exit code 0 (oneshots, tasks).</summary>
    [JsonStringEnumMemberName("exited")] Exited,
    [JsonStringEnumMemberName("creating")] Creating,
}

/// <summary>The words of <see cref="WorkloadStatus"/>.</summary>
public static class WorkloadStatuses
{
    /// <summary>The JSON words (<see cref="WorkloadStatusJson"/>'s table), for readers without a converter.</summary>
    public static readonly Volt.Core.Json.EnumWords<WorkloadStatus> Table = new((WorkloadStatus.Stopped, "stopped"), (WorkloadStatus.Starting, "starting"), (WorkloadStatus.Running, "running"), (WorkloadStatus.Restarting, "restarting"), (WorkloadStatus.Failed, "failed"), (WorkloadStatus.Exited, "exited"), (WorkloadStatus.Creating, "creating"));

    public static string Word(this WorkloadStatus status) => status switch
    {
        WorkloadStatus.Stopped => "stopped",
        WorkloadStatus.Starting => "starting",
        WorkloadStatus.Running => "running",
        WorkloadStatus.Restarting => "restarting",
        WorkloadStatus.Failed => "failed",
        WorkloadStatus.Exited => "exited",
        WorkloadStatus.Creating => "creating",
        _ => status.ToString().ToLowerInvariant(),
    };

    /// <summary>Whether a process of the workload is (or is about to be) alive: what stop acts on.</summary>
    public static bool IsActive(this WorkloadStatus status) =>
        status is WorkloadStatus.Running or WorkloadStatus.Starting or WorkloadStatus.Restarting;
}

/// <summary><see cref="WorkloadStatus"/>'s words in JSON, without the stock converter's first-use reflection.</summary>
public sealed class WorkloadStatusJson() : Volt.Core.Json.WordEnumConverter<WorkloadStatus>(WorkloadStatuses.Table);
