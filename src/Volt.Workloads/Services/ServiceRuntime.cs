using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Volt.Core.Errors;
using Volt.Units;
using Volt.Workloads.Model;

namespace Volt.Workloads.Services;

/// <summary>
/// voltd's supervision of services: starts a unit's process through <see cref="ServiceLauncher"/>, watches it, applies
/// Restart= with RestartSec= and an exponential back-off (status <c>restarting</c>, the attempt and its due time in
/// state.json), stops per KillMode=, and re-adopts what an earlier voltd started (PID + start time). The unit is read at
/// every start, so an edited unit takes effect at the next (re)start. Never writes to the console.
/// </summary>
public sealed partial class ServiceRuntime : IAsyncDisposable
{
    private readonly ServiceStore _store;
    private readonly ServiceLauncher _launcher;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, Watch> _watches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();
    private volatile bool _stoppingAll;

    public ServiceRuntime(ServiceStore store, ServiceLauncher launcher, TimeProvider? time = null, ILoggerFactory? logging = null, string label = "voltd")
    {
        _store = store; _launcher = launcher; _time = time ?? TimeProvider.System; Label = label;
        _log = (logging ?? NullLoggerFactory.Instance).CreateLogger("Volt.Workloads.Services");
    }

    /// <summary>Recorded as state.json's supervisor; only services with this label are re-adopted.</summary>
    public string Label { get; }

    public ServiceStore Store => _store;
    public ServiceLauncher Launcher => _launcher;

    /// <summary>A run that lasted this long resets the back-off (systemd's StartLimitIntervalSec= default).</summary>
    public static readonly TimeSpan StableRun = TimeSpan.FromSeconds(10);

    /// <summary>Services watched now, oldest start first.</summary>
    public IReadOnlyList<string> Running => [.. _watches.Values.OrderBy(w => w.Process.StartedAt).Select(w => w.Name)];

    /// <summary>Services in restart back-off with a restart scheduled here.</summary>
    public IReadOnlyList<string> PendingRestarts => [.. _pending.Keys.Order(StringComparer.Ordinal)];

    private sealed class Watch(string name, ServiceProcess process, ServiceUnit unit)
    {
        public string Name => name;
        public ServiceProcess Process => process;
        public ServiceUnit Unit => unit;
        public volatile bool StopRequested;
        public readonly TaskCompletionSource Recorded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// The wait before restart number <c>restarts + 1</c>: RestartSec= (at least 100 ms) doubled per attempt, at most
    /// 5 minutes (or RestartSec= when that is longer).
    /// </summary>
    public static TimeSpan BackOff(TimeSpan? restartSec, int restarts)
    {
        var baseDelay = restartSec is { } r && r > TimeSpan.FromMilliseconds(100) ? r : TimeSpan.FromMilliseconds(100);
        var cap = baseDelay > TimeSpan.FromMinutes(5) ? baseDelay : TimeSpan.FromMinutes(5);
        var delay = baseDelay * Math.Pow(2, Math.Min(restarts, 16));
        return delay > cap ? cap : delay;
    }

    public ServiceLaunch Launch(string name) =>
        new(name, _store.LogFile(name), ServiceStore.CgroupName(name), _store.Dir(name),
            Sandbox: new Volt.Sandbox.SandboxRequest(_store.Sandbox(name), _store.Paths.Etc, _store.Paths.Lib));

    /// <summary>The unit as it is on disk now (exit 3 when missing, 12 when invalid); parsed once per change of the file.</summary>
    public ServiceUnit LoadUnit(string name) => LoadUnitAndStamp(name).Unit;

    private (ServiceUnit Unit, string Stamp) LoadUnitAndStamp(string name)
    {
        try { return _store.LoadUnit(name); }
        catch (VoltException e) when (e.Code == ExitCode.NotFound) { _store.EnsureExists(name); throw; }
    }

    /// <summary>Starts a stopped service; a running one (or one in back-off) is left as is.</summary>
    public async Task StartAsync(string name, CancellationToken ct = default)
    {
        RefuseVoltd(name);
        using var _ = await GateAsync(name, ct).ConfigureAwait(false);
        if (_watches.ContainsKey(name)) return;
        var state = _store.State(name);
        if (state.Status == WorkloadStatus.Restarting && _pending.ContainsKey(name)) return;
        await LaunchLockedAsync(name, 0, ct).ConfigureAwait(false);
    }

    /// <summary>Stop (when running or in back-off), then start from the unit as it is now.</summary>
    public async Task RestartAsync(string name, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        RefuseVoltd(name);
        using var _ = await GateAsync(name, ct).ConfigureAwait(false);
        await StopLockedAsync(name, timeout, ct).ConfigureAwait(false);
        await LaunchLockedAsync(name, 0, ct).ConfigureAwait(false);
    }

    /// <summary>volt.service is voltd itself (for systemd's socket activation): a voltd never runs it as a service.</summary>
    private static void RefuseVoltd(string name)
    {
        if (name == VoltUnits.Daemon)
            throw new VoltException(ExitCode.Conflict, "volt.service is voltd itself: under systemd use systemctl start volt.socket; elsewhere the CLI starts voltd on demand");
    }

    private async Task LaunchLockedAsync(string name, int restarts, CancellationToken ct)
    {
        CancelPending(name);
        var (unit, stamp) = LoadUnitAndStamp(name);
        var state = _store.State(name);
        var summary = state.Unit?.Stamp == stamp ? state.Unit : ServiceUnitSummary.Of(unit, stamp);
        state = state with { Unit = summary };
        ServiceProcess p;
        try
        {
            // One record per start: `running` once the helper said ok. Only a start still under way after a moment
            // (a slow ExecStartPre=) is recorded `starting` first; the common start (a few ms) skips that write.
            (int Pid, long? StartTime) helper = default;
            var launching = _launcher.StartAsync(unit, Launch(name), ct, (pid, startTime) => helper = (pid, startTime));
            if (!launching.IsCompleted && !await Finishes(launching, StartingAfter).ConfigureAwait(false))
                _store.Save(name, state with
                {
                    Status = WorkloadStatus.Starting, Pid = helper.Pid == 0 ? null : helper.Pid, PidStartTime = helper.StartTime,
                    Supervisor = Label, Error = null,
                });
            p = await launching.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await _launcher.CleanupAsync(ServiceStore.CgroupName(name), CancellationToken.None).ConfigureAwait(false);
            var failed = state with
            {
                Status = WorkloadStatus.Failed, Pid = null, PidStartTime = null, Supervisor = Label, Restart = null,
                FinishedAt = _time.GetUtcNow(), Error = e.Message, Restarts = restarts,
            };
            if (restarts > 0 && Restarts(unit, failed: true) && !_stoppingAll)
            {
                failed = failed with { Status = WorkloadStatus.Restarting, Restart = new(restarts + 1, _time.GetUtcNow() + BackOff(unit.RestartSec, restarts)) };
                _store.Save(name, failed);
                Schedule(name, failed.Restart!);
                return;
            }
            _store.Save(name, failed);
            throw;
        }
        var w = new Watch(name, p, unit);
        _watches[name] = w;
        _store.Save(name, new ServiceState
        {
            Status = WorkloadStatus.Running, Pid = p.Pid, PidStartTime = p.StartTime, Supervisor = Label,
            StartedAt = p.StartedAt, Restarts = restarts, Unit = summary,
        });
        LogStarted(name, p.Pid, restarts);
        _ = MonitorAsync(w);
    }

    /// <summary>How long a start may take before its record says <c>starting</c>.</summary>
    internal static readonly TimeSpan StartingAfter = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Whether <paramref name="task"/> ends (either way: its outcome is awaited by the caller) within
    /// <paramref name="within"/>. One continuation on the task and a timer WaitAsync disposes at once: WhenAny with a
    /// cancelled Task.Delay was two more continuations and CancelAsync's hop to the pool on every start's answer path.
    /// </summary>
    private static async Task<bool> Finishes(Task task, TimeSpan within)
    {
        try { await task.WaitAsync(within).ConfigureAwait(false); }
        catch (TimeoutException) { return false; }
        catch (Exception) { /* ended: the caller awaits it and sees why */ }
        return true;
    }

    private async Task MonitorAsync(Watch w)
    {
        int? code = null;
        try
        {
            code = await w.Process.Exited.ConfigureAwait(false);
            await OnExitedAsync(w, code).ConfigureAwait(false);
        }
        catch (Exception e) { LogMonitorFailed(e, w.Name); }
        finally
        {
            _watches.TryRemove(new KeyValuePair<string, Watch>(w.Name, w));
            w.Recorded.TrySetResult();
        }
    }

    private static bool Restarts(ServiceUnit unit, bool failed) =>
        unit.Restart == UnitRestart.Always || (unit.Restart == UnitRestart.OnFailure && failed);

    private async Task OnExitedAsync(Watch w, int? code)
    {
        _watches.TryRemove(new KeyValuePair<string, Watch>(w.Name, w));
        if (!(w.StopRequested && w.Unit.KillMode == Volt.Units.KillMode.Process))
            await _launcher.CleanupAsync(w.Process.Cgroup).ConfigureAwait(false);
        if (!_store.Exists(w.Name)) return; // deleted
        var state = _store.State(w.Name);
        if (state.Pid is { } recorded && recorded != w.Process.Pid) return; // a newer start owns the record
        var now = _time.GetUtcNow();
        var failed = !w.StopRequested && code is not (null or 0);
        var status = w.StopRequested ? WorkloadStatus.Stopped : failed ? WorkloadStatus.Failed : code == 0 ? WorkloadStatus.Exited : WorkloadStatus.Stopped;
        state = state with { Status = status, Pid = null, PidStartTime = null, ExitCode = code, FinishedAt = now, Restart = null };
        if (!w.StopRequested && !_stoppingAll && !_shutdown.IsCancellationRequested && Restarts(w.Unit, failed))
        {
            var restarts = now - w.Process.StartedAt >= StableRun ? 0 : state.Restarts;
            state = state with { Status = WorkloadStatus.Restarting, Restarts = restarts, Restart = new(restarts + 1, now + BackOff(w.Unit.RestartSec, restarts)) };
        }
        _store.Save(w.Name, state);
        LogExited(w.Name, code ?? -1, state.Status.Word());
        if (state.Restart is { } next) Schedule(w.Name, next);
    }

    private void Schedule(string name, Containers.RestartSchedule next)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        _pending.AddOrUpdate(name, cts, (_, old) => { Cancel(old); return cts; });
        LogRestartScheduled(name, next.Attempt, next.NextAt);
        _ = Task.Run(async () =>
        {
            try
            {
                var delay = next.NextAt - _time.GetUtcNow();
                if (delay > TimeSpan.Zero) await Task.Delay(delay, _time, cts.Token).ConfigureAwait(false);
                using var _ = await GateAsync(name, cts.Token).ConfigureAwait(false);
                if (!_pending.TryGetValue(name, out var current) || current != cts || !_store.Exists(name)) return;
                if (_store.State(name).Status != WorkloadStatus.Restarting) return;
                _pending.TryRemove(new KeyValuePair<string, CancellationTokenSource>(name, cts));
                await LaunchLockedAsync(name, next.Attempt, _shutdown.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { }
            catch (Exception e) { LogRestartFailed(e, name); }
            finally { _pending.TryRemove(new KeyValuePair<string, CancellationTokenSource>(name, cts)); }
        });
    }

    private void CancelPending(string name)
    {
        if (_pending.TryRemove(name, out var cts)) Cancel(cts);
    }

    private static void Cancel(CancellationTokenSource cts)
    {
        try { cts.Cancel(); } catch (ObjectDisposedException) { }
    }

    private async Task<IDisposable> GateAsync(string name, CancellationToken ct)
    {
        var gate = _gates.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        return new Release(gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _done;
        public void Dispose() { if (Interlocked.Exchange(ref _done, 1) == 0) gate.Release(); }
    }

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        _shutdown.Dispose();
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Started service {Name} (pid {Pid}, restart {Restarts})")]
    private partial void LogStarted(string name, int pid, int restarts);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "Service {Name} exited with code {Code}: {Status}")]
    private partial void LogExited(string name, int code, string status);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Information, Message = "Service {Name}: restart attempt {Attempt} at {NextAt:O}")]
    private partial void LogRestartScheduled(string name, int attempt, DateTimeOffset nextAt);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Error, Message = "Restarting service {Name} failed")]
    private partial void LogRestartFailed(Exception e, string name);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Error, Message = "Watching service {Name} failed")]
    private partial void LogMonitorFailed(Exception e, string name);
}
