using Volt.Workloads.Tasks;

namespace Volt.Daemon;

/// <summary>Tasks under voltd: the CLI's side of <see cref="TaskTimers"/>, over voltd's API.</summary>
public sealed class VoltdTaskSupervisor(DaemonClient client) : ITaskSupervisor
{
    public Task LoadAsync(string name, CancellationToken ct) => client.ReloadTaskAsync(name, ct);

    public Task<TaskRun> RunAsync(string name, CancellationToken ct) => client.RunTaskAsync(name, ct);

    public Task RemoveAsync(string name, CancellationToken ct) => client.RemoveTaskAsync(name, ct);
}
