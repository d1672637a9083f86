using System.Diagnostics;
using Shouldly;
using Volt.Workloads.Tasks;
using Xunit;

namespace Volt.Workloads.Tests.Tasks;

/// <summary>The scheduler's rules on a fake clock: due times, overlaps, Persistent catch-up, interrupted runs, timeouts.</summary>
public sealed class TaskTimersTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-12-01T10:00:00.500Z");

    private static TaskDefinition Every(string name, int seconds, bool persistent = false, TimeSpan? timeout = null) =>
        Timers.Calendar(name, seconds switch { 2 => "*:*:0/2", 600 => "*:0/10", _ => "hourly" }, persistent, timeout);

    [Fact]
    public async Task A_task_starts_exactly_at_each_due_time_and_its_run_is_recorded_with_the_exit_code()
    {
        await using var h = new SchedulerHarness(T0);
        h.Define(Every("tick", 2));
        await h.StartAsync();

        var due = (await h.NextArmedAsync()).ShouldNotBeNull();
        due.ShouldBe(DateTimeOffset.Parse("2026-12-01T10:00:02Z"));
        h.Store.State("tick").NextElapse.ShouldBe(due);
        h.AdvanceTo(due);
        var p = await h.Launcher.NextStartedAsync();
        p.Exit(0);
        var run = await h.NextRecordAsync();
        run.Result.ShouldBe(TaskResult.Success);
        run.ExitCode.ShouldBe(0);
        run.Due.ShouldBe(due);
        run.Start.ShouldBe(due);
        run.Trigger.ShouldBe(TaskTrigger.Timer);
        h.Store.State("tick").LastTrigger.ShouldBe(due);

        (await NextDistinctArmedAsync(h, due)).ShouldBe(DateTimeOffset.Parse("2026-12-01T10:00:04Z"));
        h.AdvanceTo(DateTimeOffset.Parse("2026-12-01T10:00:04Z"));
        (await h.Launcher.NextStartedAsync()).Exit(3);
        var failed = await h.NextRecordAsync();
        failed.Result.ShouldBe(TaskResult.Failed);
        failed.ExitCode.ShouldBe(3);
        h.Store.History("tick").Select(r => r.Result).ShouldBe([TaskResult.Success, TaskResult.Failed]);
    }

    [Fact]
    public async Task An_elapse_while_the_previous_run_still_runs_starts_nothing_and_is_recorded_as_skipped()
    {
        await using var h = new SchedulerHarness(T0);
        h.Define(Every("slow", 2));
        await h.StartAsync();
        var first = (await h.NextArmedAsync())!.Value;
        h.AdvanceTo(first);
        var running = await h.Launcher.NextStartedAsync();

        var second = await NextDistinctArmedAsync(h, first);
        second.ShouldBe(first.AddSeconds(2));
        h.AdvanceTo(second);
        var skipped = await h.NextRecordAsync();
        skipped.Result.ShouldBe(TaskResult.SkippedOverlap);
        skipped.Due.ShouldBe(second);
        h.Launcher.All.Count.ShouldBe(1, "no second process while the first runs");

        running.Exit(0);
        (await h.NextRecordAsync()).Result.ShouldBe(TaskResult.Success);
        var third = await NextDistinctArmedAsync(h, second);
        third.ShouldBe(second.AddSeconds(2));
        h.AdvanceTo(third);
        (await h.Launcher.NextStartedAsync()).Exit(0);
        (await h.NextRecordAsync()).Result.ShouldBe(TaskResult.Success);
        h.Store.History("slow").Select(r => TaskRun.Word(r.Result)).ShouldBe(["success", "skipped-overlap", "success"]);
    }

    [Fact]
    public async Task Persistent_catches_up_exactly_one_run_for_the_elapses_missed_while_voltd_was_down()
    {
        await using var h = new SchedulerHarness(T0);
        h.Define(Every("backup", 600, persistent: true));
        // The last voltd triggered it an hour ago: six elapses were missed.
        h.Store.Save("backup", new TaskState { LastTrigger = T0.AddHours(-1) });
        await h.StartAsync();

        var catchUp = await h.Launcher.NextStartedAsync();
        catchUp.Exit(0);
        var run = await h.NextRecordAsync();
        run.Trigger.ShouldBe(TaskTrigger.CatchUp);
        run.Due.ShouldBe(T0, "a missed elapse is due at once");
        run.Start.ShouldBe(T0);
        var next = await NextDistinctArmedAsync(h, null);
        next.ShouldBe(DateTimeOffset.Parse("2026-12-01T10:10:00Z"), "then on schedule from now: one catch-up, not six");
        h.Launcher.All.Count.ShouldBe(1);
        h.Store.State("backup").LastTrigger.ShouldBe(T0);
    }

    [Fact]
    public async Task Without_persistent_missed_elapses_are_not_caught_up()
    {
        await using var h = new SchedulerHarness(T0);
        h.Define(Every("report", 600, persistent: false));
        h.Store.Save("report", new TaskState { LastTrigger = T0.AddHours(-1) });
        await h.StartAsync();
        (await h.NextArmedAsync()).ShouldBe(DateTimeOffset.Parse("2026-12-01T10:10:00Z"));
        h.Launcher.All.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_persistent_task_that_missed_nothing_waits_for_its_next_elapse()
    {
        await using var h = new SchedulerHarness(T0);
        h.Define(Every("backup", 600, persistent: true));
        h.Store.Save("backup", new TaskState { LastTrigger = DateTimeOffset.Parse("2026-12-01T10:00:00Z") });
        await h.StartAsync();
        (await h.NextArmedAsync()).ShouldBe(DateTimeOffset.Parse("2026-12-01T10:00:00Z").AddMinutes(10));
        h.Launcher.All.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_run_left_running_by_a_killed_voltd_is_recorded_interrupted_its_process_killed_and_the_next_run_scheduled()
    {
        await using var h = new SchedulerHarness(T0);
        h.Define(Every("etl", 2));
        using var leftover = Process.Start(new ProcessStartInfo("setsid", ["sleep", "1000"]))!;
        await WaitFor(() => ProcStartOf(leftover.Id) is not null);
        h.Store.Record("etl", new TaskRun(7, TaskTrigger.Timer, T0.AddSeconds(-30), T0.AddSeconds(-30), null, null, TaskResult.Running,
            leftover.Id, ProcStartOf(leftover.Id)));
        await h.StartAsync();

        var interrupted = h.Store.History("etl").Single();
        interrupted.Result.ShouldBe(TaskResult.Interrupted);
        interrupted.End.ShouldBe(T0);
        leftover.WaitForExit(TimeSpan.FromSeconds(10)).ShouldBeTrue("the run's leftover process was killed");
        var due = (await h.NextArmedAsync())!.Value;
        due.ShouldBe(DateTimeOffset.Parse("2026-12-01T10:00:02Z"));
        h.AdvanceTo(due);
        (await h.Launcher.NextStartedAsync()).Exit(0);
        var next = await h.NextRecordAsync();
        next.Id.ShouldBe(8);
        next.Result.ShouldBe(TaskResult.Success);
    }

    [Fact]
    public async Task A_recorded_pid_that_is_now_another_process_is_not_killed()
    {
        await using var h = new SchedulerHarness(T0);
        h.Define(Every("etl", 2));
        using var other = Process.Start(new ProcessStartInfo("sleep", ["1000"]))!;
        await WaitFor(() => ProcStartOf(other.Id) is not null);
        h.Store.Record("etl", new TaskRun(1, TaskTrigger.Timer, T0, T0, null, null, TaskResult.Running, other.Id, ProcStartOf(other.Id) - 1));
        await h.StartAsync();
        h.Store.History("etl").Single().Result.ShouldBe(TaskResult.Interrupted);
        other.HasExited.ShouldBeFalse("a reused PID belongs to someone else");
        other.Kill();
    }

    [Fact]
    public async Task A_run_past_its_timeout_is_stopped_and_recorded_as_timeout()
    {
        await using var h = new SchedulerHarness(T0);
        h.Define(Every("hang", 3600, timeout: TimeSpan.FromMinutes(10)));
        var scheduler = await h.StartAsync();
        var run = scheduler.RunNowAsync("hang", TestContext.Current.CancellationToken);
        var p = await h.Launcher.NextStartedAsync();
        h.Time.Advance(TimeSpan.FromMinutes(10));
        var record = await run;
        p.StopRequested.ShouldBeTrue();
        record.Result.ShouldBe(TaskResult.Timeout);
        record.ExitCode.ShouldBe(143);
        record.Trigger.ShouldBe(TaskTrigger.Manual);
        record.End.ShouldBe(T0.AddMinutes(10));
    }

    [Fact]
    public async Task Run_now_while_a_run_is_in_progress_is_a_conflict()
    {
        await using var h = new SchedulerHarness(T0);
        h.Define(Every("job", 3600));
        var scheduler = await h.StartAsync();
        var first = scheduler.RunNowAsync("job", TestContext.Current.CancellationToken);
        var p = await h.Launcher.NextStartedAsync();
        var e = await Should.ThrowAsync<Core.Errors.VoltException>(() => scheduler.RunNowAsync("job", TestContext.Current.CancellationToken));
        e.Code.ShouldBe(Core.Errors.ExitCode.Conflict);
        e.Message.ShouldContain("already running");
        p.Exit(5);
        (await first).ExitCode.ShouldBe(5);
        scheduler.Running().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_disabled_task_is_never_armed_and_enabling_it_arms_it()
    {
        await using var h = new SchedulerHarness(T0);
        h.Define(Every("off", 2));
        h.Store.Save("off", new TaskState { Enabled = false });
        var scheduler = await h.StartAsync();
        h.Time.Advance(TimeSpan.FromSeconds(10));
        h.Store.State("off").NextElapse.ShouldBeNull();
        h.Armed.Reader.TryRead(out _).ShouldBeFalse();
        h.Store.Save("off", new TaskState { Enabled = true });
        await scheduler.ReloadAsync("off");
        (await h.NextArmedAsync()).ShouldBe(DateTimeOffset.Parse("2026-12-01T10:00:12Z"));
    }

    [Fact]
    public void History_keeps_the_last_hundred_runs()
    {
        using var dir = new Testing.TempDir("tasks");
        var store = new TaskStore(new Core.Paths.VoltPaths(dir.Path));
        for (var i = 1; i <= 130; i++)
            store.Record("t", new TaskRun(i, TaskTrigger.Timer, T0, T0, T0, 0, TaskResult.Success));
        var h = store.History("t");
        h.Count.ShouldBe(TaskStore.HistoryLimit);
        h[0].Id.ShouldBe(31);
        h[^1].Id.ShouldBe(130);
        store.NextId("t").ShouldBe(131);
    }

    private static async Task<DateTimeOffset> NextDistinctArmedAsync(SchedulerHarness h, DateTimeOffset? previous)
    {
        while (true)
        {
            var d = await h.NextArmedAsync();
            if (d is { } v && v != previous) return v;
        }
    }

    private static long? ProcStartOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException) { return null; }
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++) await Task.Delay(10);
        condition().ShouldBeTrue();
    }
}
