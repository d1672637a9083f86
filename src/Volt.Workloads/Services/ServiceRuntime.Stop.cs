using Microsoft.Extensions.Logging;
using Volt.Workloads.Model;

namespace Volt.Workloads.Services;

public sealed partial class ServiceRuntime
{
    /// <summary>
    /// Stops a service per its unit's KillMode= (SIGTERM, SIGKILL after <paramref name="timeout"/>, default the unit's
    /// TimeoutStopSec=); a service in back-off gets no more restarts. A stopped one is left as is.
    /// </summary>
    public async Task StopAsync(string name, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        using var _ = await GateAsync(name, ct).ConfigureAwait(false);
        await StopLockedAsync(name, timeout, ct).ConfigureAwait(false);
    }

    private async Task StopLockedAsync(string name, TimeSpan? timeout, CancellationToken ct)
    {
        CancelPending(name);
        if (!_watches.TryGetValue(name, out var w))
        {
            var state = _store.State(name);
            if (state.Status == WorkloadStatus.Restarting || state.Status == WorkloadStatus.Starting)
            {
                _store.Save(name, state with { Status = WorkloadStatus.Stopped, Restart = null });
                return;
            }
            if (state.Status != WorkloadStatus.Running) return;
            if (!ProcessIdentity.IsAlive(state.Pid, state.PidStartTime))
            {
                _store.Save(name, state with { Status = WorkloadStatus.Stopped, Pid = null, PidStartTime = null, FinishedAt = _time.GetUtcNow() });
                return;
            }
            w = WatchAdopted(name, state);
        }
        w.StopRequested = true;
        await _launcher.StopAsync(w.Process, w.Unit, Launch(name), timeout, ct).ConfigureAwait(false);
        try { await w.Recorded.Task.WaitAsync(TimeSpan.FromSeconds(60), ct).ConfigureAwait(false); }
        catch (TimeoutException e)
        {
            // Not a bare "The operation has timed out." (exit 1) through voltd: a named exit 7.
            throw new Volt.Core.Errors.VoltException(Volt.Core.Errors.ExitCode.Timeout, $"service \"{name}\" stopped but its exit was not recorded within 60 s", e);
        }
    }

    /// <summary>Starts watching a live process recorded in state.json (re-adoption).</summary>
    private Watch WatchAdopted(string name, ServiceState state)
    {
        var unit = LoadUnit(name);
        var p = ServiceProcess.Adopt(state.Pid!.Value, state.PidStartTime, ServiceStore.CgroupName(name), state.StartedAt ?? _time.GetUtcNow(), _shutdown.Token);
        var w = new Watch(name, p, unit);
        _watches[name] = w;
        _ = MonitorAsync(w);
        return w;
    }

    /// <summary>
    /// After a voltd restart: services this label started that still run are watched again (by PID and start time);
    /// those that died meanwhile are recorded (and restarted per policy); those in back-off get their schedule back;
    /// enabled services that do not run are started. Returns the running services re-adopted.
    /// </summary>
    public async Task<IReadOnlyList<string>> AdoptAsync(CancellationToken ct = default)
    {
        var adopted = new List<string>();
        foreach (var name in _store.Names())
        {
            try
            {
                using var _ = await GateAsync(name, ct).ConfigureAwait(false);
                if (_watches.ContainsKey(name)) continue;
                var state = _store.State(name);
                if (state.Supervisor != Label) continue;
                if (state is { Status: WorkloadStatus.Restarting, Restart: { } next }) { Schedule(name, next); continue; }
                if (state.Status is not (WorkloadStatus.Running or WorkloadStatus.Starting)) continue;
                if (ProcessIdentity.IsAlive(state.Pid, state.PidStartTime))
                {
                    WatchAdopted(name, state);
                    adopted.Add(name);
                    LogAdopted(name, state.Pid!.Value);
                }
                else
                {
                    var w = new Watch(name, ServiceProcess.Adopt(0, null, ServiceStore.CgroupName(name), state.StartedAt ?? _time.GetUtcNow()), LoadUnit(name));
                    await OnExitedAsync(w, null).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is Core.Errors.VoltException or IOException) { LogAdoptFailed(e, name); }
        }
        foreach (var name in _store.Names().Where(_store.IsEnabled))
        {
            var s = _store.State(name).Status;
            if (_watches.ContainsKey(name) || s is WorkloadStatus.Restarting) continue;
            try { await StartAsync(name, ct).ConfigureAwait(false); }
            catch (Exception e) when (e is Core.Errors.VoltException or IOException) { LogAdoptFailed(e, name); }
        }
        return adopted;
    }

    /// <summary>voltd's SIGTERM: stops every watched service, newest first, and ends every back-off.</summary>
    public async Task StopAllAsync(TimeSpan? timeout = null)
    {
        _stoppingAll = true;
        foreach (var name in PendingRestarts)
        {
            try { await StopAsync(name, timeout).ConfigureAwait(false); } catch (Exception e) { LogStopFailed(e, name); }
        }
        foreach (var name in Running.Reverse())
        {
            try { await StopAsync(name, timeout).ConfigureAwait(false); } catch (Exception e) { LogStopFailed(e, name); }
        }
    }

    [LoggerMessage(EventId = 5106, Level = LogLevel.Information, Message = "Re-adopted running service {Name} (pid {Pid})")]
    private partial void LogAdopted(string name, int pid);

    [LoggerMessage(EventId = 5107, Level = LogLevel.Warning, Message = "Could not re-adopt or start service {Name}")]
    private partial void LogAdoptFailed(Exception e, string name);

    [LoggerMessage(EventId = 5108, Level = LogLevel.Error, Message = "Stopping service {Name} failed")]
    private partial void LogStopFailed(Exception e, string name);
}
