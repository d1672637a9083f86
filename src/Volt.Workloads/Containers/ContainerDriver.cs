using Volt.Workloads.Model;
using Volt.Workloads.Nspawn;
using Volt.Workloads.Runtime;

namespace Volt.Workloads.Containers;

/// <summary>
/// The container kind behind the workload seam: rows from <see cref="ContainerEngine.View"/> (state.json re-checked
/// against /proc). Launching stays <see cref="ContainerRuntime"/>'s (its start path is tuned on its own).
/// </summary>
public sealed class ContainerDriver(ContainerEngine engine) : IWorkloadDriver
{
    public WorkloadKind Kind => WorkloadKind.Container;

    public string UnitName(string name) => UnitRenderer.UnitName(name);

    public IReadOnlyList<WorkloadInfo> List() => [.. engine.List().Select(Info)];

    public WorkloadInfo? Find(string name) => ContainerName.IsValid(name) && engine.Records.Exists(name) ? Info(engine.View(name)) : null;

    public WorkloadInfo Info(ContainerView v)
    {
        var running = v.Status == ContainerStatus.Running;
        return new WorkloadInfo(WorkloadKind.Container, v.Name, UnitName(v.Name), Map(v.Status),
            Pid: running ? v.State.Pid : null, StartedAt: v.State.StartedAt, FinishedAt: v.State.FinishedAt, ExitCode: v.State.ExitCode,
            Restarts: v.State.Restart?.Attempt ?? v.State.Restarts,
            Resources: v.Config is { } c ? new Cgroups.ResourceLimits(c.MemoryBytes, c.CpuPercent, c.Pids) : null,
            Detail: v.Config?.Image, Ip: running ? v.State.Ip : null, Supervisor: v.State.Supervisor,
            Cgroup: ContainerHost.CgroupName(v.Name), LogFile: engine.Records.LogFile(v.Name));
    }

    public static WorkloadStatus Map(ContainerStatus s) => s switch
    {
        ContainerStatus.Creating => WorkloadStatus.Creating,
        ContainerStatus.Running => WorkloadStatus.Running,
        ContainerStatus.Failed => WorkloadStatus.Failed,
        ContainerStatus.Restarting => WorkloadStatus.Restarting,
        _ => WorkloadStatus.Stopped,
    };
}
