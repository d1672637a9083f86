using Volt.Workloads.Cgroups;

namespace Volt.Workloads.Model;

/// <summary>
/// What differs between kinds: where a kind's workloads are recorded, how one is materialised (its unit and records
/// written) and how its process is launched. Everything that does not differ (start, stop with a timeout, the restart
/// policy, status, logs, stats, re-adoption) is the <see cref="IWorkloadSupervisor"/>'s. A new kind (vm) adds a driver
/// and registers it in <see cref="WorkloadDrivers"/>.
/// </summary>
public interface IWorkloadDriver
{
    WorkloadKind Kind { get; }

    /// <summary>Every workload of this kind, sorted by name; read from state files only (<c>volt ps</c> must stay fast).</summary>
    IReadOnlyList<WorkloadInfo> List();

    /// <summary>The workload, or null when this kind has none of that name.</summary>
    WorkloadInfo? Find(string name);

    /// <summary>The unit file name of a workload of this kind (<c>NAME.service</c>, <c>volt-container@NAME.service</c>).</summary>
    string UnitName(string name);
}

/// <summary>
/// A kind whose process voltd starts from a unit (services, a task's oneshot): what <see cref="IWorkloadSupervisor"/>
/// needs from the driver to launch it.
/// </summary>
public interface ILaunchingDriver : IWorkloadDriver
{
    /// <summary>Checks the unit is there and valid (exit 3 / 12) and writes what a launch needs; idempotent.</summary>
    void Materialise(string name);

    /// <summary>Starts the workload's process (ExecStartPre … ExecStart) in its own cgroup, logging to its log file.</summary>
    Task<Services.ServiceProcess> LaunchAsync(string name, CancellationToken ct);
}

/// <summary>The drivers of every kind, in <c>volt ps</c> order.</summary>
public sealed class WorkloadDrivers(IEnumerable<IWorkloadDriver> drivers)
{
    private readonly IReadOnlyList<IWorkloadDriver> _all = [.. drivers];

    public IReadOnlyList<IWorkloadDriver> All => _all;

    /// <summary>Every workload of every kind: kinds in registration order, names sorted within each.</summary>
    public IReadOnlyList<WorkloadInfo> List() => [.. _all.SelectMany(d => d.List())];

    /// <summary>The first kind that has a workload of this name (container names win: they were first).</summary>
    public WorkloadInfo? Find(string name)
    {
        foreach (var d in _all)
            if (d.Find(name) is { } w) return w;
        return null;
    }

    public IWorkloadDriver? Of(WorkloadKind kind) => _all.FirstOrDefault(d => d.Kind == kind);

    /// <summary>The usage of every running workload of the kinds that report their own (<see cref="IWorkloadStatsSource"/>).</summary>
    public async Task<IReadOnlyList<WorkloadStats>> StatsAsync(CancellationToken ct = default)
    {
        var all = new List<WorkloadStats>();
        foreach (var d in _all.OfType<IWorkloadStatsSource>()) all.AddRange(await d.StatsAsync(ct).ConfigureAwait(false));
        return all;
    }
}

/// <summary>
/// A kind that samples its running workloads' usage itself for <c>volt top|stats</c> (a VM: QEMU's cgroup, and the
/// guest's memory from QMP's balloon statistics); the views add these rows beside their own.
/// </summary>
public interface IWorkloadStatsSource : IWorkloadDriver
{
    /// <summary>One sample per running workload of this kind; every query is bounded (a hung VMM leaves its guest figures out).</summary>
    Task<IReadOnlyList<WorkloadStats>> StatsAsync(CancellationToken ct = default);
}

/// <summary>What <c>volt stats</c>/<c>top</c> read for one workload: its limits and its cgroup's counters.</summary>
/// <param name="GuestMemoryBytes">A VM: the memory its guest has now (the balloon's <c>actual</c>).</param>
/// <param name="GuestUsedBytes">A VM: what the guest uses of it (balloon statistics: total minus available), when the guest reports them.</param>
public sealed record WorkloadStats(WorkloadInfo Workload, CgroupStats? Usage, long? GuestMemoryBytes = null, long? GuestUsedBytes = null);
