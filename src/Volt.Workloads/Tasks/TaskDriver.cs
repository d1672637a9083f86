using Volt.Workloads.Model;
using Volt.Workloads.Services;

namespace Volt.Workloads.Tasks;

/// <summary>
/// The task kind behind the workload seam (<c>volt ps</c> TYPE task): rows from the task's history and state only.
/// Status: <c>running</c> while a run's process is alive, then the last run's outcome (<c>exited</c> after a
/// success, <c>failed</c> after a failure, timeout or interruption), <c>stopped</c> before the first run.
/// </summary>
public sealed class TaskDriver(TaskStore store) : IWorkloadDriver
{
    public WorkloadKind Kind => WorkloadKind.Task;

    public string UnitName(string name) => TaskName.TimerUnit(name);

    public IReadOnlyList<WorkloadInfo> List() => [.. store.Names().Select(Info)];

    public WorkloadInfo? Find(string name) => TaskName.IsValid(name) && store.Exists(name) ? Info(name) : null;

    public WorkloadInfo Info(string name)
    {
        var last = store.LastRun(name);
        var running = last is { Result: TaskResult.Running } r && ProcessIdentity.IsAlive(r.Pid, r.PidStart);
        var status = running ? WorkloadStatus.Running : last?.Result switch
        {
            null or TaskResult.Running => WorkloadStatus.Stopped,
            TaskResult.Success => WorkloadStatus.Exited,
            _ => WorkloadStatus.Failed,
        };
        return new WorkloadInfo(WorkloadKind.Task, name, UnitName(name), status,
            Pid: running ? last!.Pid : null, StartedAt: last?.Start, FinishedAt: last?.End, ExitCode: last?.ExitCode,
            Detail: Schedule(name), Supervisor: null, Cgroup: TaskStore.CgroupName(name), LogFile: store.LogFile(name));
    }

    /// <summary>The timer's OnCalendar= lines as written (no full parse: ps stays fast).</summary>
    private string? Schedule(string name)
    {
        try
        {
            var lines = File.ReadLines(store.TimerFile(name)).Where(l => l.StartsWith("OnCalendar=", StringComparison.Ordinal))
                .Select(l => l["OnCalendar=".Length..]).ToList();
            return lines.Count > 0 ? string.Join("; ", lines) : null;
        }
        catch (IOException) { return null; }
    }
}
