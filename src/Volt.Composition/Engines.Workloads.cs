using Volt.Daemon;
using Volt.Workloads.Model;
using Volt.Workloads.Services;
using Volt.Workloads.Supervision;
using Volt.Workloads.Tasks;

namespace Volt.Composition;

/// <summary>The kinds beside containers: services (<c>NAME.service</c>) and tasks (<c>volt-task-NAME.timer</c> + service).</summary>
public sealed partial class Engines
{
    public ServiceStore ServiceStore => Once(ref _serviceStore, () => new ServiceStore(Paths));
    private ServiceStore? _serviceStore;

    public ServiceEngine Services => Once(ref _services, () => new ServiceEngine(ServiceStore));
    private ServiceEngine? _services;

    public ServiceDriver ServiceDriver => Once(ref _serviceDriver, () => new ServiceDriver(ServiceStore));
    private ServiceDriver? _serviceDriver;

    public TaskStore TaskStore => Once(ref _taskStore, () => new TaskStore(Paths));
    private TaskStore? _taskStore;

    public TaskEngine Tasks => Once(ref _tasks, () => new TaskEngine(TaskStore, Time));
    private TaskEngine? _tasks;

    public TaskDriver TaskDriver => Once(ref _taskDriver, () => new TaskDriver(TaskStore));
    private TaskDriver? _taskDriver;

    /// <summary>systemd (systemctl) where it supervises, else voltd, started on demand as for containers.</summary>
    /// <param name="oneAtATime">The caller makes its calls one after another (a CLI command): voltd's client blocks
    /// instead of starting the socket engine and pool threads (<see cref="DaemonClient"/>). Compose overlaps its calls.</param>
    public async Task<IWorkloadSupervisor> ServiceSupervisorAsync(CancellationToken ct, bool oneAtATime = false)
    {
        if (SystemdSupervises) return new SystemdWorkloadSupervisor(ServiceStore, Processes, Time);
        var client = await DaemonLauncher.ConnectAsync(Paths, DaemonSocket, ConfigFile, ct, blocking: oneAtATime).ConfigureAwait(false);
        return new DaemonServiceSupervisor(client, ServiceStore, () => Cgroups);
    }

    /// <summary>systemd's timers where systemd supervises; voltd's (started on demand) otherwise.</summary>
    /// <param name="oneAtATime">As for <see cref="ServiceSupervisorAsync"/>.</param>
    public async Task<ITaskSupervisor> TaskSupervisorAsync(CancellationToken ct, bool oneAtATime = false)
    {
        if (SystemdSupervises) return new SystemdTaskSupervisor(TaskStore, Processes, Time);
        return new VoltdTaskSupervisor(await DaemonLauncher.ConnectAsync(Paths, DaemonSocket, ConfigFile, ct, blocking: oneAtATime).ConfigureAwait(false));
    }

    /// <summary>The handlers voltd runs the non-container kinds with.</summary>
    private IReadOnlyList<IWorkloadHandler> DaemonWorkloads(Microsoft.Extensions.Logging.ILoggerFactory logging) =>
    [
        new ServiceWorkloadHandler(new ServiceRuntime(ServiceStore, new ServiceLauncher(Cgroups, Paths.Lib, Time), Time, logging)),
        new TaskWorkloadHandler(TaskStore, Cgroups, logging.CreateLogger("Volt.Tasks")),
        new Adapters.VmWorkloadHandler(VmRuntime(logging)),
    ];
}
