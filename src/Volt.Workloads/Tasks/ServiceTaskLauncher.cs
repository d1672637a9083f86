using Volt.Units;
using Volt.Workloads.Services;

namespace Volt.Workloads.Tasks;

/// <summary>
/// A task's run under voltd: its <c>.service</c> unit through the one <see cref="ServiceLauncher"/> services use
/// (user, environment, working directory, cgroup <c>task@NAME</c>, stamped log <c>workloads/tasks/NAME.log</c>).
/// <c>VOLT_TASK</c> and <c>VOLT_TASK_RUN</c> tell the command which task and run it is.
/// </summary>
public sealed class ServiceTaskLauncher(TaskStore store, ServiceLauncher launcher) : ITaskLauncher
{
    public async Task<ITaskProcess> StartAsync(string name, CancellationToken ct)
    {
        var unit = ServiceUnit.From(UnitFile.Load(store.ServiceFile(name)));
        var launch = new ServiceLaunch(TaskName.ServiceUnit(name), store.LogFile(name), TaskStore.CgroupName(name), store.Dir(name),
            new Dictionary<string, string> { ["VOLT_TASK"] = name });
        var process = await launcher.StartAsync(unit, launch, ct).ConfigureAwait(false);
        return new Run(process, unit, launch, launcher);
    }

    /// <summary>Kills whatever is left of a run an earlier voltd started (its cgroup), for interrupted runs.</summary>
    public Task CleanupAsync(string name) => launcher.CleanupAsync(TaskStore.CgroupName(name));

    private sealed class Run(ServiceProcess process, ServiceUnit unit, ServiceLaunch launch, ServiceLauncher launcher) : ITaskProcess
    {
        public int Pid => process.Pid;

        public Task<int> Exited { get; } = WaitAsync(process, launcher);

        public Task StopAsync(TimeSpan grace) => launcher.StopAsync(process, unit, launch, grace);

        private static async Task<int> WaitAsync(ServiceProcess process, ServiceLauncher launcher)
        {
            var code = await process.Exited.ConfigureAwait(false);
            // A oneshot is done when its main process is: what it left behind in its cgroup goes with it (KillMode=control-group).
            await launcher.CleanupAsync(process.Cgroup).ConfigureAwait(false);
            return code ?? 1;
        }
    }
}
