using Volt.Workloads.Cgroups;

namespace Volt.Workloads.Model;

/// <summary>
/// One workload of any kind as <c>volt ps</c>, <c>top</c>, <c>logs</c> and <c>stats</c> see it: read from its state
/// file (and /proc), never from a daemon.
/// </summary>
/// <param name="Unit">The unit file name (<c>web.service</c>, <c>volt-container@web.service</c>).</param>
/// <param name="Detail">What it runs: the image of a container, the command line of a service.</param>
/// <param name="Supervisor"><c>voltd</c>, <c>systemd</c> or <c>cli</c>; null when never started.</param>
/// <param name="Cgroup">The group name under Volt's cgroup parent (for stats); null when it has none.</param>
/// <param name="LogFile">Where voltd writes its output (the journal holds it under systemd).</param>
public sealed record WorkloadInfo(
    WorkloadKind Kind,
    string Name,
    string Unit,
    WorkloadStatus Status,
    int? Pid = null,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? FinishedAt = null,
    int? ExitCode = null,
    int Restarts = 0,
    ResourceLimits? Resources = null,
    string? Detail = null,
    string? Ip = null,
    string? Supervisor = null,
    string? Cgroup = null,
    string? LogFile = null);
