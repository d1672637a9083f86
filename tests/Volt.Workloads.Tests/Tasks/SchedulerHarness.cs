using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Volt.Core.Paths;
using Volt.Testing;
using Volt.Workloads.Tasks;

namespace Volt.Workloads.Tests.Tasks;

/// <summary>
/// A scheduler on a fake clock with a launcher whose processes the test ends: every arming, start and record is an
/// event the test waits on (no sleeps).
/// </summary>
internal sealed class SchedulerHarness : IAsyncDisposable
{
    private readonly TempDir _dir = new("tasks");
    private readonly Dictionary<string, TaskDefinition> _defs = new(StringComparer.Ordinal);

    public SchedulerHarness(DateTimeOffset now)
    {
        Time = new FakeTimeProvider(now);
        Store = new TaskStore(new VoltPaths(_dir.Path));
        Definitions = new Defs(this);
    }

    public FakeTimeProvider Time { get; }
    public TaskStore Store { get; }
    public FakeLauncher Launcher { get; } = new();
    public Channel<(string Name, DateTimeOffset? Due)> Armed { get; } = Channel.CreateUnbounded<(string, DateTimeOffset?)>();
    public Channel<(string Name, TaskRun Run)> Recorded { get; } = Channel.CreateUnbounded<(string, TaskRun)>();
    public TaskTimers? Scheduler { get; private set; }
    public DateTimeOffset Boot { get; set; } = DateTimeOffset.Parse("2026-12-01T00:00:00Z");

    private ITaskDefinitions Definitions { get; }

    /// <summary>Defines a task (and its timer file, which is what <see cref="TaskStore.Names"/> lists).</summary>
    public void Define(TaskDefinition def)
    {
        _defs[def.Name] = def;
        Directory.CreateDirectory(Store.Paths.Units);
        File.WriteAllText(Store.TimerFile(def.Name), "[Timer]\n");
    }

    public async Task<TaskTimers> StartAsync()
    {
        Scheduler = new TaskTimers(Store, Definitions, Launcher, Time, Boot);
        Scheduler.Armed += (n, d) => Armed.Writer.TryWrite((n, d));
        Scheduler.Recorded += (n, r) => Recorded.Writer.TryWrite((n, r));
        await Scheduler.StartAsync();
        return Scheduler;
    }

    /// <summary>Waits until the loop has armed an elapse (skipping re-arms of the same one).</summary>
    public async Task<DateTimeOffset?> NextArmedAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return (await Armed.Reader.ReadAsync(cts.Token)).Due;
    }

    /// <summary>Advances the clock to <paramref name="when"/>.</summary>
    public void AdvanceTo(DateTimeOffset when) => Time.Advance(when - Time.GetUtcNow());

    public async Task<TaskRun> NextRecordAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return (await Recorded.Reader.ReadAsync(cts.Token)).Run;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in Launcher.All) p.Exit(137);
        if (Scheduler is not null) await Scheduler.DisposeAsync();
        _dir.Dispose();
    }

    private sealed class Defs(SchedulerHarness h) : ITaskDefinitions
    {
        public IReadOnlyList<string> Names() => h.Store.Names();
        public TaskDefinition? Load(string name) => h._defs.GetValueOrDefault(name);
    }
}

/// <summary>A launcher whose processes end when the test says (or when stopped: 143).</summary>
internal sealed class FakeLauncher : ITaskLauncher
{
    private int _pid = 100000;
    public Channel<FakeProcess> Started { get; } = Channel.CreateUnbounded<FakeProcess>();
    public List<FakeProcess> All { get; } = [];

    public Task<ITaskProcess> StartAsync(string name, CancellationToken ct)
    {
        var p = new FakeProcess(Interlocked.Increment(ref _pid));
        lock (All) All.Add(p);
        Started.Writer.TryWrite(p);
        return Task.FromResult<ITaskProcess>(p);
    }

    public Task CleanupAsync(string name) => Task.CompletedTask;

    public async Task<FakeProcess> NextStartedAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await Started.Reader.ReadAsync(cts.Token);
    }
}

internal sealed class FakeProcess(int pid) : ITaskProcess
{
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public int Pid => pid;
    public Task<int> Exited => _exit.Task;
    public bool StopRequested { get; private set; }
    public void Exit(int code) => _exit.TrySetResult(code);

    public Task StopAsync(TimeSpan grace)
    {
        StopRequested = true;
        Exit(143);
        return Task.CompletedTask;
    }
}

/// <summary>Task definitions from real <c>[Timer]</c> sections (Volt.Units' parser and NextElapse).</summary>
internal static class Timers
{
    public static TaskDefinition Calendar(string name, string calendar, bool persistent = false, TimeSpan? timeout = null)
    {
        var text = $"[Timer]\nOnCalendar={calendar}\n" + (persistent ? "Persistent=true\n" : "") + $"Unit=volt-task-{name}.service\n";
        var timer = Units.TimerUnit.From(Units.UnitFile.Parse(text, $"volt-task-{name}.timer"));
        return new TaskDefinition(name, new TimerUnitSchedule(timer), calendar, timeout);
    }
}
