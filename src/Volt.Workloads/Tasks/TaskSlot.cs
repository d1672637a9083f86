namespace Volt.Workloads.Tasks;

/// <summary>One task inside the scheduler: its definition, what this voltd saw of it, its loop and its run in progress.</summary>
internal sealed class TaskSlot(TaskDefinition definition, IReadOnlyList<TaskRun> history)
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _loop;
    private Task? _loopTask;

    public TaskDefinition Definition { get; set; } = definition;

    /// <summary>When this voltd last triggered the timer (null: not yet).</summary>
    public DateTimeOffset? LastTrigger { get; set; }

    /// <summary>When the service last started (any trigger): what <c>OnUnitActiveSec</c> counts from.</summary>
    public DateTimeOffset? LastActivation { get; set; } =
        history.Where(r => r.Result != TaskResult.SkippedOverlap).Select(r => (DateTimeOffset?)r.Start).LastOrDefault();

    public RunningTask? Current { get; set; }
    public Task<TaskRun>? CurrentTask { get; set; }

    /// <summary>Completes at the next <see cref="Signal"/>: a run started or ended.</summary>
    public Task Changed => _changed.Task;

    public void Signal() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public void StartLoop(Func<CancellationToken, Task> loop, CancellationToken parent)
    {
        _loop = CancellationTokenSource.CreateLinkedTokenSource(parent);
        var token = _loop.Token;
        _loopTask = Task.Run(() => loop(token), CancellationToken.None);
    }

    public async Task StopLoopAsync()
    {
        if (_loop is not { } cts) return;
        _loop = null;
        await cts.CancelAsync().ConfigureAwait(false);
        if (_loopTask is { } t) { try { await t.ConfigureAwait(false); } catch (OperationCanceledException) { } }
        cts.Dispose();
    }
}

/// <summary>A run in progress: its record's id and times, its process once started, whether it was stopped on purpose.</summary>
internal sealed class RunningTask(string name, long id, TaskTrigger trigger, DateTimeOffset? due, DateTimeOffset start)
{
    private readonly Lock _gate = new();
    private ITaskProcess? _process;
    private TimeSpan? _stopGrace;

    public string Name => name;
    public long Id => id;
    public TaskTrigger Trigger => trigger;
    public DateTimeOffset? Due => due;
    public DateTimeOffset Start => start;

    /// <summary>Stopped by voltd (shutdown, delete), not by its own end or its timeout.</summary>
    public bool Stopped { get; private set; }

    public void Attach(ITaskProcess process)
    {
        TimeSpan? stop;
        lock (_gate) { _process = process; stop = _stopGrace; }
        if (stop is { } grace) _ = process.StopAsync(grace);
    }

    public Task StopAsync(TimeSpan grace)
    {
        ITaskProcess? p;
        lock (_gate) { Stopped = true; _stopGrace = grace; p = _process; }
        return p?.StopAsync(grace) ?? Task.CompletedTask;
    }
}
