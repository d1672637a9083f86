using Volt.Units;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Model;

namespace Volt.Workloads.Services;

/// <summary>
/// The service kind: <c>NAME.service</c> units in the units directory. Its rows come from state.json and the unit,
/// re-checked against /proc (no daemon, no systemctl: <c>volt ps</c> stays fast).
/// </summary>
public sealed class ServiceDriver(ServiceStore store) : IWorkloadDriver
{
    public WorkloadKind Kind => WorkloadKind.Service;

    public ServiceStore Store => store;

    public string UnitName(string name) => ServiceName.UnitName(name);

    public IReadOnlyList<WorkloadInfo> List() => [.. store.Names().Select(Info)];

    public WorkloadInfo? Find(string name)
    {
        var n = name.EndsWith(ServiceName.Suffix, StringComparison.Ordinal) ? name[..^ServiceName.Suffix.Length] : name;
        return ServiceName.IsValid(n) && store.Exists(n) ? Info(n) : null;
    }

    /// <summary>The unit, or null when it does not parse (shown, but never started).</summary>
    public ServiceUnit? TryUnit(string name)
    {
        try { return store.LoadUnit(name).Unit; }
        catch (Exception e) when (e is Core.Errors.VoltException or IOException) { return null; }
    }

    /// <summary>
    /// What a row shows of the unit: state.json's summary when its stamp is the unit file's (one stat, no parse),
    /// else the unit parsed now; null when it does not parse.
    /// </summary>
    public ServiceUnitSummary? Summary(string name, ServiceState state)
    {
        if (state.Unit is { } cached && ServiceUnits.Stamp(store.UnitFile(name)) == cached.Stamp) return cached;
        try
        {
            var (unit, stamp) = store.LoadUnit(name);
            return ServiceUnitSummary.Of(unit, stamp);
        }
        catch (Exception e) when (e is Core.Errors.VoltException or IOException) { return null; }
    }

    public WorkloadInfo Info(string name)
    {
        var state = store.ListingState(name);
        var unit = Summary(name, state);
        var alive = ProcessIdentity.IsAlive(state.Pid, state.PidStartTime);
        var status = state.Status switch
        {
            WorkloadStatus.Running or WorkloadStatus.Starting when !alive => WorkloadStatus.Stopped,
            var s => s,
        };
        var running = status is WorkloadStatus.Running or WorkloadStatus.Starting;
        return new WorkloadInfo(WorkloadKind.Service, name, UnitName(name), status,
            Pid: running ? state.Pid : null,
            StartedAt: state.StartedAt, FinishedAt: state.FinishedAt, ExitCode: state.ExitCode, Restarts: state.Restart?.Attempt ?? state.Restarts,
            Resources: unit is null ? null : new ResourceLimits(unit.MemoryMax, unit.CpuQuotaPercent, unit.TasksMax),
            Detail: unit is null ? "(invalid unit)" : string.Join(' ', unit.Command),
            Supervisor: state.Supervisor, Cgroup: ServiceStore.CgroupName(name), LogFile: store.LogFile(name));
    }
}
