using Microsoft.Extensions.Logging;
using Volt.Workloads.Containers;

namespace Volt.Workloads.Runtime;

public sealed partial class ContainerRuntime
{
    /// <summary>
    /// SIGTERM to the container's processes; after <paramref name="timeout"/> SIGKILL to them and nspawn. Not SIGTERM to
    /// nspawn itself: for a non-systemd PID 1 it answers with an immediate SIGKILL (and with <c>--kill-signal=SIGTERM</c>
    /// its stub init does not pass the signal on), so neither gives the payload a graceful stop.
    /// </summary>
    public async Task StopAsync(string name, TimeSpan timeout, CancellationToken ct = default)
    {
        _host.Store.EnsureExists(name);
        CancelPendingRestart(name);
        if (!_watches.TryGetValue(name, out var w) && EndBackOff(name)) return;
        if (w is null && !_watches.TryGetValue(name, out w))
        {
            var state = _host.Store.State(name);
            if (state.Status != ContainerStatus.Running) return;
            if (!IsOurs(state.Pid, name))
            {
                // Dead without anyone noticing (supervisor was down): record it and clean up.
                w = new Watch(name, state.Pid ?? 0, null, state.StartedAt ?? _host.Time.GetUtcNow(), _host.Store.Rootfs(name)) { StopRequested = true };
                await OnExitedAsync(w, null).ConfigureAwait(false);
                return;
            }
            w = new Watch(name, state.Pid!.Value, null, state.StartedAt ?? _host.Time.GetUtcNow(), _host.Store.Rootfs(name));
            _watches[name] = w;
            _ = MonitorAsync(w);
        }
        w.StopRequested = true;
        await StopWatchedAsync(name, w, timeout, ct).ConfigureAwait(false);
        // The payload may have exited on its own just before this stop was seen: its exit was then judged a failure
        // and a restart scheduled (or already launching). A stop ends that too: nothing restarts after it returns.
        CancelPendingRestart(name);
        EndBackOff(name); // waits for a launch in flight (it holds the container's lock)
        if (_watches.TryGetValue(name, out var relaunched) && relaunched != w)
        {
            relaunched.StopRequested = true;
            await StopWatchedAsync(name, relaunched, timeout, ct).ConfigureAwait(false);
        }
    }

    /// <summary>How long a container may take to be reaped after SIGKILL.</summary>
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(60);

    private async Task StopWatchedAsync(string name, Watch w, TimeSpan timeout, CancellationToken ct)
    {
        // Re-sent every 250 ms: a stop right after start can reach nspawn's helpers before the payload has exec'd.
        var deadline = _host.Time.GetUtcNow() + timeout;
        while (true)
        {
            foreach (var pid in _host.Cgroups.Pids(ContainerHost.CgroupName(name)))
                if (pid != w.Pid) Native.Kill(pid, Native.SIGTERM);
            var left = deadline - _host.Time.GetUtcNow();
            if (left <= TimeSpan.Zero) break;
            try
            {
                await w.Exited.Task.WaitAsync(left < TimeSpan.FromMilliseconds(250) ? left : TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
                return;
            }
            catch (TimeoutException) { }
        }
        LogKilling(name, timeout.TotalSeconds);
        KillAll(name, w.Pid);
        // Under load (a 30-container stack recreated at once) reaping after SIGKILL took over 10 s once, and the bare
        // TimeoutException reached `compose up` as "Error: The operation has timed out." (exit 1): a named exit 7.
        try { await w.Exited.Task.WaitAsync(KillGrace, ct).ConfigureAwait(false); }
        catch (TimeoutException e)
        {
            throw new Volt.Core.Errors.VoltException(Volt.Core.Errors.ExitCode.Timeout,
                $"container \"{name}\" did not exit within {KillGrace.TotalSeconds:0} s of SIGKILL (after {timeout.TotalSeconds:0} s of SIGTERM)", e);
        }
    }

    /// <summary>
    /// voltd's SIGTERM: stops every watched container, newest first (reverse start order), and ends every restart
    /// back-off (those are <c>stopped</c> too, so the next voltd resumes neither kind).
    /// </summary>
    public async Task StopAllAsync(TimeSpan timeout)
    {
        _stoppingAll = true;
        foreach (var name in PendingRestarts)
        {
            CancelPendingRestart(name);
            try { EndBackOff(name); } catch (Exception e) { LogStopFailed(e, name); }
        }
        foreach (var name in Running.Reverse())
        {
            try { await StopAsync(name, timeout).ConfigureAwait(false); }
            catch (Exception e) { LogStopFailed(e, name); }
        }
    }

    /// <summary>
    /// After a voltd restart: containers this label started whose nspawn is still alive are watched again; those that
    /// died meanwhile are recorded and cleaned up (and restarted per policy); those in restart back-off get their
    /// recorded schedule back (due now if its time has passed; see <see cref="PendingRestarts"/>). Returns the running
    /// containers re-adopted.
    /// </summary>
    public async Task<IReadOnlyList<string>> AdoptAsync()
    {
        var adopted = new List<string>();
        foreach (var name in _host.Store.Names())
        {
            var state = _host.Store.State(name);
            if (state.Supervisor != Label || _watches.ContainsKey(name)) continue;
            if (state is { Status: ContainerStatus.Restarting, Restart: { } next })
            {
                ScheduleRestart(name, next);
                LogAdoptedBackOff(name, next.Attempt);
                continue;
            }
            if (state.Status != ContainerStatus.Running) continue;
            var w = new Watch(name, state.Pid ?? 0, null, state.StartedAt ?? _host.Time.GetUtcNow(), _host.Store.Rootfs(name));
            if (IsOurs(state.Pid, name))
            {
                _watches[name] = w;
                _ = MonitorAsync(w);
                adopted.Add(name);
                LogAdopted(name, w.Pid);
            }
            else
            {
                await OnExitedAsync(w, null).ConfigureAwait(false);
            }
        }
        return adopted;
    }

    [LoggerMessage(EventId = 5008, Level = LogLevel.Information, Message = "Container {Name} did not stop within {Seconds}s of SIGTERM: sending SIGKILL")]
    private partial void LogKilling(string name, double seconds);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Error, Message = "Stopping container {Name} failed")]
    private partial void LogStopFailed(Exception e, string name);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Information, Message = "Re-adopted container {Name} in restart back-off (attempt {Attempt} pending)")]
    private partial void LogAdoptedBackOff(string name, int attempt);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Information, Message = "Re-adopted running container {Name} (nspawn pid {Pid})")]
    private partial void LogAdopted(string name, int pid);
}
