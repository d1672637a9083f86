using Microsoft.Extensions.Logging;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Model;
using Volt.Workloads.Services;
using Volt.Workloads.Tasks;

namespace Volt.Daemon;

/// <summary>
/// Tasks as a workload kind: voltd's <see cref="TaskTimers"/> (armed on voltd's start, after interrupted runs are
/// recorded; runs stopped on its stop). Start runs the task now without waiting (a run in progress is left as is),
/// stop ends the run in progress; <c>/v1/tasks/{name}/run|reload|remove</c> (<see cref="DaemonRoutes"/>) are the rest.
/// </summary>
public sealed class TaskWorkloadHandler : IWorkloadHandler, IWorkloadLifecycle, IAsyncDisposable
{
    private readonly TaskStore _store;
    private readonly TaskDriver _driver;

    public TaskWorkloadHandler(TaskStore store, ICgroupDriver cgroups, ILogger log, TimeProvider? time = null)
    {
        _store = store;
        _driver = new TaskDriver(store);
        Timers = new TaskTimers(store, new UnitTaskDefinitions(store), new ServiceTaskLauncher(store, new ServiceLauncher(cgroups, store.Paths.Lib)),
            time ?? TimeProvider.System, BootTime.Get(), log);
    }

    public string Kind => WorkloadKinds.Task;

    public TaskTimers Timers { get; }

    public Task OnDaemonStartAsync(CancellationToken ct) => Timers.StartAsync();

    public async Task OnDaemonStopAsync(TimeSpan timeout) => await Timers.DisposeAsync().ConfigureAwait(false);

    public Task StartAsync(string name, CancellationToken ct)
    {
        _store.EnsureExists(name);
        if (Timers.Running().Contains(name)) return Task.CompletedTask;
        _ = Timers.RunNowAsync(name, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(string name, TimeSpan? timeout, CancellationToken ct)
    {
        _store.EnsureExists(name);
        return Timers.StopRunAsync(name, timeout ?? ServiceLauncher.DefaultStopTimeout);
    }

    public async Task RestartAsync(string name, TimeSpan? timeout, CancellationToken ct)
    {
        await StopAsync(name, timeout, ct).ConfigureAwait(false);
        await StartAsync(name, ct).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<WorkloadSummary>> ListAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<WorkloadSummary>>([.. _driver.List().Select(w => new WorkloadSummary(
            Kind, w.Name, w.Status.Word(), w.Unit, w.Pid, w.Status == WorkloadStatus.Running ? w.StartedAt : null))]);

    public ValueTask DisposeAsync() => Timers.DisposeAsync();
}
