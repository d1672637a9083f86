using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Volt.Core.Errors;

namespace Volt.Workloads.Tasks;

/// <summary>
/// voltd's timer engine for tasks (where systemd is not PID 1): one loop per enabled task arms the next elapse on the
/// injected clock, triggers the task's oneshot service, and records every run in the task's history.
/// <list type="bullet">
/// <item>An elapse while the previous run still runs starts nothing and is recorded as <c>skipped-overlap</c>.</item>
/// <item>The last trigger is persisted before the run starts; with <c>Persistent=true</c> the next voltd computes the
///   next elapse from it, so elapses missed while voltd was down give exactly one catch-up run.</item>
/// <item>A run still recorded as running when voltd starts was cut off by voltd's death: it is recorded as
///   <c>interrupted</c> and a leftover process of it is killed before anything else is scheduled.</item>
/// </list>
/// </summary>
public sealed partial class TaskTimers : IAsyncDisposable
{
    private readonly TaskStore _store;
    private readonly ITaskDefinitions _definitions;
    private readonly ITaskLauncher _launcher;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _boot;
    private readonly ILogger _log;
    private readonly Dictionary<string, TaskSlot> _slots = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();

    public TaskTimers(TaskStore store, ITaskDefinitions definitions, ITaskLauncher launcher, TimeProvider time, DateTimeOffset boot, ILogger? log = null)
    {
        _store = store; _definitions = definitions; _launcher = launcher; _time = time; _boot = boot;
        _log = log ?? NullLogger.Instance;
    }

    /// <summary>How long a stopped run gets between SIGTERM and SIGKILL (systemd's TimeoutStopSec default).</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Raised when a task's loop has armed its next elapse (null: nothing due), after the wait was set up.</summary>
    public event Action<string, DateTimeOffset?>? Armed;

    /// <summary>Raised when a run's record is final (and written).</summary>
    public event Action<string, TaskRun>? Recorded;

    /// <summary>Records interrupted runs, then starts a loop for every task.</summary>
    public async Task StartAsync()
    {
        foreach (var name in _definitions.Names())
        {
            try { await RecoverInterruptedAsync(name).ConfigureAwait(false); }
            catch (Exception e) when (e is IOException or VoltException or UnauthorizedAccessException) { LogRecoverFailed(_log, name, e); }
            Load(name);
        }
    }

    /// <summary>(Re)reads one task's definition and state: after create, enable, disable, or a unit edit; a deleted task's loop ends.</summary>
    public async Task ReloadAsync(string name)
    {
        await StopLoopAsync(name).ConfigureAwait(false);
        Load(name);
    }

    /// <summary>Ends the task's loop and stops a run in progress (for delete).</summary>
    public async Task RemoveAsync(string name)
    {
        TaskSlot? slot;
        lock (_gate) { _slots.Remove(name, out slot); }
        if (slot is null) return;
        await slot.StopLoopAsync().ConfigureAwait(false);
        if (slot.Current is { } run) await run.StopAsync(StopGrace).ConfigureAwait(false);
        if (slot.CurrentTask is { } t) await t.ConfigureAwait(false);
    }

    /// <summary>Stops the task's run in progress (recorded as interrupted), if any; its timer stays armed.</summary>
    public async Task StopRunAsync(string name, TimeSpan grace)
    {
        TaskSlot? slot;
        lock (_gate) _slots.TryGetValue(name, out slot);
        if (slot?.Current is not { } run) return;
        await run.StopAsync(grace).ConfigureAwait(false);
        if (slot.CurrentTask is { } t) await t.ConfigureAwait(false);
    }

    /// <summary>
    /// <c>volt task run</c>: starts the task now and returns its record when it ends. A run already in progress is a
    /// conflict (exit 9), as overlapping timer runs are skipped.
    /// </summary>
    public async Task<TaskRun> RunNowAsync(string name, CancellationToken ct)
    {
        TaskSlot slot;
        lock (_gate)
        {
            if (!_slots.TryGetValue(name, out var s))
            {
                var def = _definitions.Load(name) ?? throw VoltException.NotFound($"task \"{name}\" not found");
                s = _slots[name] = new TaskSlot(def, History(name));
            }
            slot = s;
        }
        Task<TaskRun> run;
        lock (slot)
        {
            if (slot.Current is not null)
                throw VoltException.Conflict($"task \"{name}\" is already running (since {slot.Current.Start:O})");
            run = StartRun(slot, TaskTrigger.Manual, due: null);
        }
        return await run.WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The names with a run in progress.</summary>
    public IReadOnlyList<string> Running()
    {
        lock (_gate) return [.. _slots.Values.Where(s => s.Current is not null).Select(s => s.Definition.Name).Order(StringComparer.Ordinal)];
    }

    private IReadOnlyList<TaskRun> History(string name) => _store.History(name);

    private void Load(string name)
    {
        var def = _definitions.Load(name);
        TaskSlot slot;
        lock (_gate)
        {
            if (def is null) { _slots.Remove(name); return; }
            if (_slots.TryGetValue(name, out var existing)) { existing.Definition = def; slot = existing; }
            else slot = _slots[name] = new TaskSlot(def, History(name));
            if (!_store.State(name).Enabled) { SaveNext(name, null); return; }
            slot.StartLoop(token => LoopAsync(slot, token), _stopping.Token);
        }
    }

    private async Task StopLoopAsync(string name)
    {
        TaskSlot? slot;
        lock (_gate) _slots.TryGetValue(name, out slot);
        if (slot is not null) await slot.StopLoopAsync().ConfigureAwait(false);
    }

    private async Task LoopAsync(TaskSlot slot, CancellationToken ct)
    {
        var name = slot.Definition.Name;
        // The timer is (re)armed now; with Persistent=true a trigger persisted by an earlier voltd counts, so an
        // elapse missed while voltd was down is due at once (once: the catch-up run sets a new last trigger).
        var activated = _time.GetUtcNow();
        var persisted = _store.State(name).LastTrigger;
        var first = true;
        while (!ct.IsCancellationRequested)
        {
            var changed = slot.Changed;
            var schedule = slot.Definition.Schedule;
            var lastTrigger = slot.LastTrigger ?? persisted;
            var now = _time.GetUtcNow();
            var next = schedule.NextElapse(new ScheduleTimes(now, _boot, lastTrigger, activated, slot.LastActivation));
            SaveNext(name, next);
            if (next is not { } due)
            {
                Armed?.Invoke(name, null);
                try { await changed.WaitAsync(ct).ConfigureAwait(false); } catch (OperationCanceledException) { return; }
                continue;
            }
            var catchUp = first && schedule.Persistent && slot.LastTrigger is null && persisted is { } p && p < activated && due <= now;
            first = false;
            // Wait until due (a timer never fires early here: woken before, it waits the rest), or until a run
            // changes what OnUnitActiveSec counts from.
            var woken = false;
            while (_time.GetUtcNow() < due)
            {
                var delay = Task.Delay(due - _time.GetUtcNow(), _time, ct);
                Armed?.Invoke(name, due);
                try { if (await Task.WhenAny(delay, changed).ConfigureAwait(false) == changed) { woken = true; break; } await delay.ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
            if (woken) continue;
            Trigger(slot, due, catchUp ? TaskTrigger.CatchUp : TaskTrigger.Timer);
        }
    }

    /// <summary>The timer elapsed: persist the trigger, then start the run or record the skip.</summary>
    private void Trigger(TaskSlot slot, DateTimeOffset due, TaskTrigger trigger)
    {
        var name = slot.Definition.Name;
        var now = _time.GetUtcNow();
        slot.LastTrigger = now;
        using (_store.Lock(name)) _store.Save(name, _store.State(name) with { LastTrigger = now });
        lock (slot)
        {
            if (slot.Current is { } running)
            {
                var skipped = new TaskRun(_store.NextId(name), trigger, due, now, now, null, TaskResult.SkippedOverlap);
                _store.Record(name, skipped);
                LogSkipped(_log, name, running.Start);
                Recorded?.Invoke(name, skipped);
            }
            else _ = StartRun(slot, trigger, due);
        }
    }

    /// <summary>Starts a run (the caller holds the slot's lock and saw no run in progress).</summary>
    private Task<TaskRun> StartRun(TaskSlot slot, TaskTrigger trigger, DateTimeOffset? due)
    {
        var run = new RunningTask(slot.Definition.Name, _store.NextId(slot.Definition.Name), trigger, due, _time.GetUtcNow());
        slot.Current = run;
        slot.LastActivation = run.Start;
        var task = Task.Run(() => ExecuteAsync(slot, run));
        slot.CurrentTask = task;
        slot.Signal();
        return task;
    }

    private async Task<TaskRun> ExecuteAsync(TaskSlot slot, RunningTask run)
    {
        var name = slot.Definition.Name;
        TaskRun record = new(run.Id, run.Trigger, run.Due, run.Start, null, null, TaskResult.Running);
        // TimeoutStartSec counts from the start of the job, as systemd's does: armed before the process is started.
        using var cancelTimeout = new CancellationTokenSource();
        var timeout = slot.Definition.Timeout is { } limit ? Task.Delay(limit, _time, cancelTimeout.Token) : null;
        try
        {
            _store.Record(name, record);
            LogStarting(_log, name, TaskRun.Word(run.Trigger));
            ITaskProcess process;
            try { process = await _launcher.StartAsync(name, _stopping.Token).ConfigureAwait(false); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogLaunchFailed(_log, name, e);
                return record = Finish(name, record, null, TaskResult.Failed);
            }
            record = record with { Pid = process.Pid, PidStart = Services.ProcessIdentity.StartTime(process.Pid) };
            _store.Record(name, record);
            run.Attach(process);
            var timedOut = false;
            if (timeout is not null && await Task.WhenAny(process.Exited, timeout).ConfigureAwait(false) == timeout)
            {
                timedOut = true;
                LogTimedOut(_log, name, slot.Definition.Timeout!.Value);
                await process.StopAsync(StopGrace).ConfigureAwait(false);
            }
            await cancelTimeout.CancelAsync().ConfigureAwait(false);
            var code = await process.Exited.ConfigureAwait(false);
            var result = run.Stopped && !timedOut ? TaskResult.Interrupted : TaskRun.ResultOf(code, timedOut);
            return record = Finish(name, record, code, result);
        }
        catch (Exception e) when (e is IOException or VoltException or UnauthorizedAccessException or OperationCanceledException)
        {
            LogRunFailed(_log, name, e);
            return record = Finish(name, record, null, TaskResult.Interrupted);
        }
        finally
        {
            lock (slot)
            {
                if (ReferenceEquals(slot.Current, run)) { slot.Current = null; slot.CurrentTask = null; }
                slot.Signal();
            }
            Recorded?.Invoke(name, record);
        }
    }

    private TaskRun Finish(string name, TaskRun record, int? code, TaskResult result)
    {
        var done = record with { End = _time.GetUtcNow(), ExitCode = code, Result = result };
        try { _store.Record(name, done); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { LogRunFailed(_log, name, e); }
        LogFinished(_log, name, TaskRun.Word(result), code);
        return done;
    }

    private void SaveNext(string name, DateTimeOffset? next)
    {
        try { using (_store.Lock(name)) _store.Save(name, _store.State(name) with { NextElapse = next }); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { LogRunFailed(_log, name, e); }
    }

    /// <summary>
    /// A record still "running" from an earlier voltd: that voltd died during the run. Its process (if it outlived
    /// voltd and is still the same process) is killed; the record becomes <c>interrupted</c>, ended now.
    /// </summary>
    private async Task RecoverInterruptedAsync(string name)
    {
        foreach (var r in _store.History(name).Where(r => r.Result == TaskResult.Running))
        {
            if (r.Pid is { } pid && r.PidStart is not null && Services.ProcessIdentity.IsAlive(pid, r.PidStart))
            {
                // The run's wrapper is a session and group leader (setsid): its group goes with it.
                Runtime.Native.Kill(-pid, Runtime.Native.SIGKILL);
                Runtime.Native.Kill(pid, Runtime.Native.SIGKILL);
            }
            await _launcher.CleanupAsync(name).ConfigureAwait(false);
            _store.Record(name, r with { End = _time.GetUtcNow(), Result = TaskResult.Interrupted });
            LogInterrupted(_log, name, r.Start);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        List<TaskSlot> slots;
        lock (_gate) slots = [.. _slots.Values];
        foreach (var s in slots) await s.StopLoopAsync().ConfigureAwait(false);
        // voltd stopping ends its runs (as systemd stopping a unit would): recorded as interrupted.
        foreach (var s in slots)
        {
            if (s.Current is { } run) await run.StopAsync(StopGrace).ConfigureAwait(false);
            if (s.CurrentTask is { } t) await t.ConfigureAwait(false);
        }
        _stopping.Dispose();
    }
}
