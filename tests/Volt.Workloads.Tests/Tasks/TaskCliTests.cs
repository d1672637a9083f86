using System.Text.Json.Nodes;
using Shouldly;
using Volt.Workloads.Runtime;
using Volt.Workloads.Tasks;
using Volt.Workloads.Tests.Support;
using Xunit;

namespace Volt.Workloads.Tests.Tasks;

/// <summary>The volt binary end to end: a real 2-second calendar under voltd, run now, bad input, kill -9 of voltd.</summary>
public sealed class TaskCliTests
{
    [Fact]
    public async Task A_task_on_a_two_second_calendar_runs_its_command_under_voltd_on_every_due_time()
    {
        using var f = new TaskCliFixture();
        var marks = f.Dir.Combine("marks");
        var create = f.Volt("task", "create", "tick", "--schedule", "*:*:0/2", "-e", "WORD=tick", "--", "/bin/sh", "-c", $"echo \"$WORD $VOLT_TASK\"; echo x >> {marks}");
        create.Code.ShouldBe(0, create.Err);
        File.ReadAllText(f.Store.TimerFile("tick")).ShouldContain("OnCalendar=*-*-* *:*:00/2");
        File.ReadAllText(f.Store.ServiceFile("tick")).ShouldContain("Type=oneshot");

        await ContainerFixture.WaitFor(() => f.Store.History("tick").Count(r => r.Result == TaskResult.Success) >= 3, 30, "three runs");
        File.ReadAllLines(marks).Length.ShouldBeGreaterThanOrEqualTo(3);
        var runs = f.Store.History("tick").Where(r => r.Result == TaskResult.Success).ToList();
        foreach (var r in runs)
        {
            r.Trigger.ShouldBe(TaskTrigger.Timer);
            r.Due.ShouldNotBeNull().Second.ShouldBe(r.Due!.Value.Second / 2 * 2, "due on the even seconds");
            r.Start.ShouldBeGreaterThanOrEqualTo(r.Due!.Value, "never before its due time");
            r.ExitCode.ShouldBe(0);
        }
        for (var i = 1; i < runs.Count; i++) (runs[i].Due!.Value - runs[i - 1].Due!.Value).ShouldBe(TimeSpan.FromSeconds(2));

        var list = f.Volt("task", "list");
        list.Code.ShouldBe(0, list.Err);
        list.Out.ShouldContain("NAME");
        list.Out.ShouldContain("NEXT RUN");
        list.Out.ShouldContain("tick");
        list.Out.ShouldContain("success");
        var json = JsonNode.Parse(f.Volt("task", "list", "-o", "json").Out)!.AsArray().Single()!;
        json["schedule"]!.GetValue<string>().ShouldBe("*-*-* *:*:00/2");
        json["next_run"].ShouldNotBeNull();
        var history = JsonNode.Parse(f.Volt("task", "history", "tick", "-o", "json").Out)!.AsArray();
        history.Count.ShouldBeGreaterThanOrEqualTo(3);
        history[0]!["result"]!.GetValue<string>().ShouldBe("success");
        f.Volt("task", "logs", "tick").Out.ShouldContain("tick tick\n");
        var stamped = f.Volt("task", "logs", "--tail", "1", "--timestamps", "tick").Out;
        LogsLine(stamped).ShouldContain("Z tick tick");

        f.Volt("task", "disable", "tick").Code.ShouldBe(0);
        f.Volt("task", "list").Out.ShouldContain("disabled");
        var delete = f.Volt("task", "delete", "tick");
        delete.Code.ShouldBe(0, delete.Err);
        f.Store.Names().ShouldBeEmpty();
        File.Exists(f.Store.ServiceFile("tick")).ShouldBeFalse();
        f.Volt("task", "history", "tick").Code.ShouldBe(3);
    }

    [Fact]
    public void Task_run_waits_and_passes_the_exit_code_through_and_a_timeout_is_exit_7()
    {
        using var f = new TaskCliFixture();
        f.Volt("task", "create", "seven", "--schedule", "yearly", "--", "/bin/sh", "-c", "echo ran; exit 7").Code.ShouldBe(0);
        var run = f.Volt("task", "run", "seven");
        run.Code.ShouldBe(7, run.Err);
        f.Store.History("seven").Single().ShouldSatisfyAllConditions(
            r => r.Result.ShouldBe(TaskResult.Failed), r => r.ExitCode.ShouldBe(7), r => r.Trigger.ShouldBe(TaskTrigger.Manual));
        f.Volt("task", "logs", "seven").Out.ShouldBe("ran\n");

        f.Volt("task", "create", "slow", "--schedule", "yearly", "--timeout", "1s", "--", "/bin/sleep", "30").Code.ShouldBe(0);
        var slow = f.Volt("task", "run", "slow");
        slow.Code.ShouldBe(7, slow.Err);
        slow.Err.ShouldContain("timed out");
        f.Store.History("slow").Single().Result.ShouldBe(TaskResult.Timeout);
        f.Volt("task", "history", "slow").Out.ShouldContain("timeout");
    }

    [Fact]
    public void Bad_input_is_refused_with_its_exit_code_and_nothing_is_created()
    {
        using var f = new TaskCliFixture();
        var calendar = f.Volt("task", "create", "bad", "--schedule", "25:00", "--", "/bin/true");
        calendar.Code.ShouldBe(2);
        calendar.Err.ShouldContain("Failed to parse calendar specification '25:00'");
        var missing = f.Volt("task", "create", "bad", "--schedule", "daily", "--", "no-such-command-xyz", "-v");
        missing.Code.ShouldBe(3);
        missing.Err.ShouldContain("no-such-command-xyz");
        var notExec = f.Dir.Write("script.sh", "#!/bin/sh\n");
        var plain = f.Volt("task", "create", "bad", "--schedule", "daily", "--", notExec);
        plain.Code.ShouldBe(3);
        plain.Err.ShouldContain("not executable");
        Directory.Exists(f.Paths.Units).ShouldBeFalse("nothing written");
        f.DaemonPid.ShouldBeNull("no voltd started for refused input");

        f.Volt("task", "create", "dup", "--schedule", "daily", "--", "/bin/true").Code.ShouldBe(0);
        var dup = f.Volt("task", "create", "dup", "--schedule", "hourly", "--", "/bin/true");
        dup.Code.ShouldBe(4);
        dup.Err.ShouldContain("already exists");
        File.ReadAllText(f.Store.TimerFile("dup")).ShouldContain("OnCalendar=*-*-* 00:00:00", customMessage: "the first one is kept");
        f.Volt("task", "run", "nope").Code.ShouldBe(3);
    }

    [Fact]
    public async Task Voltd_killed_during_a_run_leaves_it_recorded_interrupted_and_the_next_voltd_schedules_the_next_run()
    {
        using var f = new TaskCliFixture();
        var create = f.Volt("task", "create", "long", "--schedule", "*:*:0/2", "--", "/bin/sleep", "1000");
        create.Code.ShouldBe(0, create.Err);
        await ContainerFixture.WaitFor(() => f.Store.History("long").Any(r => r.Result == TaskResult.Running && r.Pid is not null), 20, "a run in progress");
        var first = f.Store.History("long").First(r => r.Result == TaskResult.Running);
        var daemon = f.DaemonPid.ShouldNotBeNull();

        Native.Kill(daemon, Native.SIGKILL);
        await ContainerFixture.WaitFor(() => !ProcFs.IsAlive(daemon), what: "voltd to die");
        var restarted = DateTimeOffset.UtcNow;
        f.Volt("task", "enable", "long").Code.ShouldBe(0, "voltd is started on demand");
        f.DaemonPid.ShouldNotBe(daemon);

        var interrupted = f.Store.History("long").Single(r => r.Id == first.Id);
        interrupted.Result.ShouldBe(TaskResult.Interrupted);
        interrupted.End.ShouldNotBeNull().ShouldBeGreaterThanOrEqualTo(restarted.AddSeconds(-1));
        await ContainerFixture.WaitFor(() => !ProcFs.IsAlive(first.Pid!.Value), what: "the interrupted run's process to be killed");
        File.ReadAllText(f.Paths.DaemonLog).ShouldContain("was interrupted");

        await ContainerFixture.WaitFor(() => f.Store.History("long").Any(r => r.Id > first.Id && r.Result == TaskResult.Running && r.Pid is not null), 20, "the next scheduled run");
        var next = f.Store.History("long").First(r => r.Id > first.Id && r.Result == TaskResult.Running && r.Pid is not null);
        next.Trigger.ShouldBe(TaskTrigger.Timer);
        next.Due.ShouldNotBeNull().ShouldBeGreaterThan(restarted.AddSeconds(-2));
        f.Volt("task", "delete", "long").Code.ShouldBe(0);
        await ContainerFixture.WaitFor(() => !ProcFs.IsAlive(next.Pid!.Value), what: "delete to stop the run");
    }

    private static string LogsLine(string text) => text.TrimEnd('\n').Split('\n')[^1];
}
