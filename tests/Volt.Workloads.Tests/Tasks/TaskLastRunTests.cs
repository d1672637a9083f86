using Shouldly;
using Volt.Workloads.Tasks;
using Xunit;

namespace Volt.Workloads.Tests.Tasks;

/// <summary>
/// <c>volt ps</c>'s view of a task's last run comes from <c>last.json</c> only while it was written for the history
/// file as it is; otherwise from the history itself.
/// </summary>
public sealed class TaskLastRunTests : IDisposable
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-12-01T10:00:00Z");
    private readonly Testing.TempDir _dir = new("tasks-last");
    private readonly TaskStore _store;

    public TaskLastRunTests() => _store = new TaskStore(new Core.Paths.VoltPaths(_dir.Path));

    public void Dispose() => _dir.Dispose();

    private static TaskRun Run(long id, TaskResult result) =>
        new(id, TaskTrigger.Timer, T0.AddMinutes(id), T0.AddMinutes(id), T0.AddMinutes(id).AddSeconds(1), result == TaskResult.Success ? 0 : 1, result);

    [Fact]
    public void Before_any_run_there_is_no_last_run() => _store.LastRun("t").ShouldBeNull();

    [Fact]
    public void The_last_run_is_the_newest_that_ran_and_is_read_from_the_summary()
    {
        _store.Record("t", Run(1, TaskResult.Success));
        _store.Record("t", Run(2, TaskResult.Failed));
        _store.Record("t", Run(3, TaskResult.SkippedOverlap));
        _store.LastRun("t").ShouldBe(Run(2, TaskResult.Failed));
        var summary = File.ReadAllText(_store.LastRunFile("t"));
        summary.ShouldContain("\"id\": 2");
        summary.ShouldContain(global::Volt.Workloads.Services.ServiceUnits.Stamp(_store.HistoryFile("t"))!);
    }

    [Fact]
    public void A_summary_written_for_an_earlier_history_is_not_used()
    {
        _store.Record("t", Run(1, TaskResult.Success));
        var stale = File.ReadAllBytes(_store.LastRunFile("t"));
        _store.Record("t", Run(2, TaskResult.Failed));
        File.WriteAllBytes(_store.LastRunFile("t"), stale); // as a crash between the two writes leaves it
        _store.LastRun("t").ShouldBe(Run(2, TaskResult.Failed));
    }

    [Fact]
    public void Without_a_summary_the_history_decides()
    {
        _store.Record("t", Run(1, TaskResult.Success));
        _store.Record("t", Run(2, TaskResult.Timeout));
        File.Delete(_store.LastRunFile("t")); // a voltd of an earlier binary wrote this history
        _store.LastRun("t").ShouldBe(Run(2, TaskResult.Timeout));
    }

    [Fact]
    public void A_torn_summary_falls_back_to_the_history()
    {
        _store.Record("t", Run(1, TaskResult.Success));
        File.WriteAllText(_store.LastRunFile("t"), "{\"history_stamp\": ");
        _store.LastRun("t").ShouldBe(Run(1, TaskResult.Success));
    }

    [Fact]
    public void A_run_in_progress_replaced_by_its_end_is_the_last_run()
    {
        _store.Record("t", Run(1, TaskResult.Running));
        _store.LastRun("t")!.Result.ShouldBe(TaskResult.Running);
        _store.Record("t", Run(1, TaskResult.Success));
        _store.LastRun("t")!.Result.ShouldBe(TaskResult.Success);
    }
}
