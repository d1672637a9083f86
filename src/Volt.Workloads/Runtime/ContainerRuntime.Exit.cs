using Microsoft.Extensions.Logging;
using Volt.Workloads.Containers;

namespace Volt.Workloads.Runtime;

public sealed partial class ContainerRuntime
{
    private async Task MonitorAsync(Watch w)
    {
        int? code = null;
        try
        {
            StartHealthChecks(w);
            if (w.Child is { } child)
            {
                await child.WaitForExitAsync().ConfigureAwait(false);
                code = child.ExitCode;
                child.Dispose();
            }
            else
            {
                // Re-adopted: not our child, so no exit status; poll until it is gone.
                while (IsOurs(w.Pid, w.Name)) await Task.Delay(200).ConfigureAwait(false);
            }
            await OnExitedAsync(w, code).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogMonitorFailed(e, w.Name);
        }
        finally
        {
            await w.Life.CancelAsync().ConfigureAwait(false);
            _watches.TryRemove(new KeyValuePair<string, Watch>(w.Name, w));
            w.Exited.TrySetResult(code);
        }
    }

    /// <summary>
    /// Records the exit, cleans the cgroup, network and leftovers, and applies the restart policy: a restart is recorded
    /// as <c>restarting</c> with its attempt and due time in the same state.json write, then scheduled.
    /// </summary>
    private async Task OnExitedAsync(Watch w, int? code)
    {
        var store = _host.Store;
        var cg = ContainerHost.CgroupName(w.Name);
        if (!store.Exists(w.Name)) { _host.Cgroups.Delete(cg); return; }
        ContainerState state;
        using (await store.LockAsync(w.Name).ConfigureAwait(false))
        {
            var oom = _host.Cgroups.Exists(cg) ? _host.Cgroups.OomKills(cg) : 0;
            await ReapAsync(cg).ConfigureAwait(false);
            var config = store.TryConfig(w.Name);
            if (config is not null && (config.Network is not null || config.Publish.Count > 0))
                await _host.Network.DetachAsync(w.Name).ConfigureAwait(false);
            _host.Cgroups.Delete(cg);
            var failed = oom > 0 || (!w.StopRequested && code is not (null or 0));
            var now = _host.Time.GetUtcNow();
            state = store.State(w.Name) with
            {
                Status = failed ? ContainerStatus.Failed : ContainerStatus.Stopped, Restart = null,
                Pid = null, Ip = null, ExitCode = code, OomKilled = oom > 0, FinishedAt = now,
            };
            // The foreground CLI of `volt run` has no one to restart for; voltd does.
            var restart = config is not null && !w.StopRequested && Label != "cli" && !_shutdown.IsCancellationRequested && !_stoppingAll
                && (config.Restart == RestartPolicy.Always || (config.Restart == RestartPolicy.OnFailure && failed));
            if (restart)
                state = state with { Status = ContainerStatus.Restarting, Restart = new RestartSchedule(state.Restarts + 1, now + BackOff(state.Restarts)) };
            store.Save(w.Name, state, ContainerStore.Durable(config));
        }
        LogExited(w.Name, code ?? -1, state.Status.ToString().ToLowerInvariant());
        _watches.TryRemove(new KeyValuePair<string, Watch>(w.Name, w));
        if (state.Restart is { } next) ScheduleRestart(w.Name, next);
    }

    /// <summary>Kills what is left in the group (a stub init's orphans) and waits briefly for it to empty.</summary>
    private async Task ReapAsync(string cg)
    {
        for (var i = 0; i < 100; i++)
        {
            var pids = _host.Cgroups.Exists(cg) ? _host.Cgroups.Pids(cg) : [];
            if (pids.Count == 0) return;
            foreach (var pid in pids) Native.Kill(pid, Native.SIGKILL);
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Container {Name} exited with code {Code}: {Status}")]
    private partial void LogExited(string name, int code, string status);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "Watching container {Name} failed")]
    private partial void LogMonitorFailed(Exception e, string name);

}
