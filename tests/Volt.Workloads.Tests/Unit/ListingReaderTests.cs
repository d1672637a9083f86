using System.Text.Json;
using Shouldly;
using Volt.Core.Errors;
using Volt.Core.Paths;
using Volt.Workloads.Containers;
using Volt.Workloads.Health;
using Volt.Workloads.Model;
using Volt.Workloads.Services;
using Volt.Workloads.Tasks;
using Xunit;

namespace Volt.Workloads.Tests.Unit;

/// <summary>
/// The listing readers (<c>volt ps</c>, <c>container list</c>, <c>service list</c>) read records through JsonDocument
/// instead of the serializer: every field they read must come out as the serializer reads it, from the files the
/// serializer writes; missing, torn and broken files behave as with the serializer's readers.
/// </summary>
public sealed class ListingReaderTests : IDisposable
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-12-01T10:00:00.1234567+02:00");
    private readonly Testing.TempDir _dir = new("listing-readers");
    private readonly VoltPaths _paths;

    public ListingReaderTests() => _paths = new VoltPaths(_dir.Path);

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> ContainerStates() => new() { "creating", "stopped", "running", "failed", "restarting" };

    [Theory]
    [MemberData(nameof(ContainerStates))]
    public void A_container_state_reads_as_the_serializer_reads_it(string word)
    {
        var store = new ContainerStore(_paths);
        Directory.CreateDirectory(store.Dir("c1"));
        var status = ContainerStatuses.Table.FromWord(word);
        var full = new ContainerState
        {
            Status = status, Pid = 4242, Supervisor = "voltd", Ip = "10.88.0.7", StartedAt = T0, FinishedAt = T0.AddSeconds(3),
            ExitCode = 1, OomKilled = true, Restarts = 2, Restart = new RestartSchedule(3, T0.AddSeconds(9)), CreatorPid = 77, Error = "boom",
        };
        store.Save("c1", full);
        var listed = store.ListingState("c1");
        listed.ShouldBe(store.State("c1") with { Supervisor = null, FinishedAt = null, ExitCode = null, OomKilled = false, Restarts = 0, Error = null });
        listed.Status.ShouldBe(status);
        listed.Restart.ShouldBe(full.Restart);
    }

    [Fact]
    public void An_empty_container_state_reads_as_the_defaults()
    {
        var store = new ContainerStore(_paths);
        Directory.CreateDirectory(store.Dir("c1"));
        store.Save("c1", new ContainerState());
        store.ListingState("c1").ShouldBe(store.State("c1"));
        store.ListingState("nothere").ShouldBe(new ContainerState());
    }

    [Fact]
    public void A_torn_container_state_reads_as_absent_as_with_the_serializer()
    {
        var store = new ContainerStore(_paths);
        Directory.CreateDirectory(store.Dir("c1"));
        File.WriteAllBytes(store.StateFile("c1"), new byte[64]);
        store.ListingState("c1").ShouldBe(store.State("c1"));
    }

    [Fact]
    public void A_broken_record_fails_naming_the_file_as_the_serializer_does()
    {
        var store = new ContainerStore(_paths);
        Directory.CreateDirectory(store.Dir("c1"));
        foreach (var text in new[] { "{\"status\": ", "{\"pid\": \"many\"}", "{\"status\": \"dancing\"}", "[1]", "{\"started_at\": \"yesterday\"}" })
        {
            File.WriteAllText(store.StateFile("c1"), text);
            Should.Throw<VoltException>(() => store.State("c1")).Message.ShouldContain(store.StateFile("c1"), customMessage: text);
            var e = Should.Throw<VoltException>(() => store.ListingState("c1"));
            e.Code.ShouldBe(ExitCode.General, text);
            e.Message.ShouldContain(store.StateFile("c1"), customMessage: text);
        }
    }

    [Fact]
    public void A_container_config_gives_its_image_and_whether_it_has_a_health_check()
    {
        var store = new ContainerStore(_paths);
        Directory.CreateDirectory(store.Dir("c1"));
        var config = new ContainerConfig { Name = "c1", Image = "127.0.0.1:5000/busybox:1.36", Command = ["sleep", "1"], Env = ["A=1"] };
        store.Save(config);
        store.ListingConfig("c1").ShouldBe(("127.0.0.1:5000/busybox:1.36", false));
        store.Save(config with { Healthcheck = new HealthcheckConfig { Test = ["CMD", "true"] } });
        store.ListingConfig("c1").ShouldBe(("127.0.0.1:5000/busybox:1.36", true));
        store.ListingConfig("nothere").ShouldBeNull();
    }

    [Fact]
    public void A_health_record_gives_its_status_and_run()
    {
        var store = new ContainerStore(_paths);
        Directory.CreateDirectory(store.Dir("c1"));
        foreach (var status in Enum.GetValues<HealthStatus>())
        {
            store.Save("c1", new HealthState { Status = status, FailingStreak = 2, StartedAt = T0, Log = [new HealthResult(T0, T0.AddSeconds(1), 1, "no")] });
            var full = store.Health("c1")!;
            var listed = store.ListingHealth("c1")!;
            listed.Status.ShouldBe(full.Status);
            listed.StartedAt.ShouldBe(full.StartedAt);
        }
    }

    public static TheoryData<string> ServiceStates() => new() { "stopped", "starting", "running", "restarting", "failed", "exited" };

    [Theory]
    [MemberData(nameof(ServiceStates))]
    public void A_service_state_reads_as_the_serializer_reads_it_but_for_the_error(string word)
    {
        var store = new ServiceStore(_paths);
        var full = new ServiceState
        {
            Status = WorkloadStatuses.Table.FromWord(word), Pid = 99, PidStartTime = 123456789012, Supervisor = "voltd",
            StartedAt = T0, FinishedAt = T0.AddMinutes(1), ExitCode = 3, Restarts = 4, Restart = new RestartSchedule(5, T0.AddSeconds(30)),
            Error = "it broke",
            Unit = new ServiceUnitSummary { Stamp = "1:2:3:4", Command = ["/usr/bin/sleep", "1000"], MemoryMax = 256L << 20, CpuQuotaPercent = 50, TasksMax = 64 },
        };
        store.Save("s1", full);
        var read = store.State("s1");
        var listed = store.ListingState("s1");
        listed.ShouldBe(read with { Error = null, Unit = listed.Unit });
        listed.Unit.ShouldNotBeNull();
        listed.Unit.Command.ShouldBe(read.Unit!.Command);
        (listed.Unit with { Command = read.Unit.Command }).ShouldBe(read.Unit);
    }

    [Fact]
    public void An_empty_or_missing_service_state_reads_as_the_defaults()
    {
        var store = new ServiceStore(_paths);
        store.ListingState("s1").ShouldBe(new ServiceState());
        store.Save("s1", new ServiceState());
        store.ListingState("s1").ShouldBe(store.State("s1"));
    }

    [Fact]
    public void A_task_summary_reads_as_the_serializer_reads_it()
    {
        var store = new TaskStore(_paths);
        foreach (var (trigger, result) in new[] { (TaskTrigger.Timer, TaskResult.Success), (TaskTrigger.CatchUp, TaskResult.Timeout), (TaskTrigger.Manual, TaskResult.Running), (TaskTrigger.Timer, TaskResult.Interrupted) })
        {
            var run = new TaskRun(7, trigger, trigger == TaskTrigger.Manual ? null : T0, T0.AddSeconds(1), result == TaskResult.Running ? null : T0.AddSeconds(2),
                result == TaskResult.Running ? null : 9, result, Pid: 321, PidStart: 987654321);
            var json = JsonSerializer.SerializeToUtf8Bytes(new TaskLastRun { HistoryStamp = "5:6:7:8", Run = run }, TaskJson.Default.TaskLastRun);
            using var doc = JsonDocument.Parse(json);
            var read = JsonSerializer.Deserialize(json, TaskJson.Default.TaskLastRun)!;
            var listed = TaskStore.LastRunOf(doc.RootElement);
            listed.ShouldBe(read);
            listed.Run.ShouldBe(run);
        }
        using var none = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(new TaskLastRun { HistoryStamp = "s" }, TaskJson.Default.TaskLastRun));
        TaskStore.LastRunOf(none.RootElement).ShouldBe(new TaskLastRun { HistoryStamp = "s" });
        store.LastRun("never").ShouldBeNull();
    }
}
