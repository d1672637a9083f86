using System.Globalization;
using Volt.Core.Errors;
using Volt.Core.Processes;

namespace Volt.Workloads.Tasks;

/// <summary>
/// Where systemd is PID 1: the pair is linked into systemd (<c>systemctl link</c>), the timer enabled and started
/// (<c>systemctl enable --now</c>); a run now is <c>systemctl start</c> of the oneshot service (which returns when it
/// has finished). History is what <c>systemctl show</c> reports after each run Volt starts, in the same record shape;
/// timer-started runs are in the journal (<c>volt task logs</c>).
/// </summary>
public sealed class SystemdTaskSupervisor(TaskStore store, IProcessRunner runner, TimeProvider time) : ITaskSupervisor
{
    public async Task LoadAsync(string name, CancellationToken ct)
    {
        store.EnsureExists(name);
        await Systemctl(ct, "link", store.TimerFile(name), store.ServiceFile(name)).ConfigureAwait(false);
        await Systemctl(ct, "daemon-reload").ConfigureAwait(false);
        if (store.State(name).Enabled) await Systemctl(ct, "enable", "--now", TaskName.TimerUnit(name)).ConfigureAwait(false);
        else await Systemctl(ct, "disable", "--now", TaskName.TimerUnit(name)).ConfigureAwait(false);
    }

    public async Task<TaskRun> RunAsync(string name, CancellationToken ct)
    {
        store.EnsureExists(name);
        var service = TaskName.ServiceUnit(name);
        var start = time.GetUtcNow();
        var record = new TaskRun(store.NextId(name), TaskTrigger.Manual, null, start, null, null, TaskResult.Running);
        store.Record(name, record);
        // A oneshot's start job completes when ExecStart has exited; a failure is reported by its exit status.
        await runner.RunAsync("systemctl", ["start", service], ct: ct).ConfigureAwait(false);
        var show = await runner.RunAsync("systemctl", ["show", "-p", "Result,ExecMainStatus,ExecMainPID", service], ct: ct).ConfigureAwait(false);
        var props = show.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1]);
        int.TryParse(props.GetValueOrDefault("ExecMainStatus"), CultureInfo.InvariantCulture, out var code);
        var result = props.GetValueOrDefault("Result") switch
        {
            "success" => TaskResult.Success,
            "timeout" => TaskResult.Timeout,
            _ => TaskResult.Failed,
        };
        int.TryParse(props.GetValueOrDefault("ExecMainPID"), CultureInfo.InvariantCulture, out var pid);
        var done = record with { End = time.GetUtcNow(), ExitCode = code, Result = result, Pid = pid > 0 ? pid : null };
        store.Record(name, done);
        return done;
    }

    public async Task RemoveAsync(string name, CancellationToken ct)
    {
        await runner.RunAsync("systemctl", ["disable", "--now", TaskName.TimerUnit(name)], ct: ct).ConfigureAwait(false);
        await runner.RunAsync("systemctl", ["stop", TaskName.ServiceUnit(name)], ct: ct).ConfigureAwait(false);
        await runner.RunAsync("systemctl", ["disable", TaskName.ServiceUnit(name)], ct: ct).ConfigureAwait(false);
    }

    private async Task Systemctl(CancellationToken ct, params string[] args)
    {
        var r = await runner.RunAsync("systemctl", args, ct: ct).ConfigureAwait(false);
        if (!r.Success)
            throw new VoltException(ExitCode.Daemon, $"Failed running systemctl {string.Join(' ', args)}: {r.StdErr.Trim()}");
    }
}
