using System.Diagnostics;
using Shouldly;
using Volt.Core.Errors;
using Volt.Workloads.Containers;
using Volt.Workloads.Tests.Support;
using Xunit;

namespace Volt.Workloads.Tests.Containers;

/// <summary>Real containers (busybox on systemd-nspawn) through the engine and the in-process runtime.</summary>
public sealed class ContainerLifecycleTests
{
    [Fact]
    public async Task Create_start_stop_delete_with_state_on_disk_and_nothing_left_behind()
    {
        await using var f = new ContainerFixture();
        f.Create("web", "/bin/sleep", "1000");
        var state = f.Store.State("web");
        state.Status.ShouldBe(ContainerStatus.Stopped);
        File.ReadAllText(f.Store.ConfigFile("web")).ShouldContain("\"image\": \"" + f.Image + "\"");
        File.Exists(f.Store.UnitFile("web")).ShouldBeTrue();
        File.Exists(Path.Combine(f.Store.Rootfs("web"), "bin", "busybox")).ShouldBeTrue();

        await f.Runtime.StartAsync("web");
        state = f.Store.State("web");
        state.Status.ShouldBe(ContainerStatus.Running);
        state.Pid.ShouldNotBeNull();
        state.StartedAt.ShouldNotBeNull();
        state.Supervisor.ShouldBe("voltd");
        f.Engine.View("web").Status.ShouldBe(ContainerStatus.Running);
        f.Host.Cgroups.Pids("web").ShouldContain(state.Pid!.Value);
        // start returns once PID 1 exists; nspawn enters the container's namespaces a moment later (WaitInitPidAsync).
        (await f.Engine.WaitInitPidAsync("web", TimeSpan.FromSeconds(30))).ShouldNotBeNull();

        var sw = Stopwatch.StartNew();
        // A timeout far beyond any load's delay: SIGTERM reaching the payload ends the stop long before it.
        await f.Runtime.StopAsync("web", TimeSpan.FromSeconds(60));
        sw.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), "SIGTERM reaches the payload: no wait for the timeout");
        f.Store.State("web").Status.ShouldBe(ContainerStatus.Stopped);
        Process.GetProcesses().Any(p => p.Id == state.Pid).ShouldBeFalse();
        f.Host.Cgroups.Exists("web").ShouldBeFalse();

        var cgroupPath = f.Host.Cgroups.PathOf("web");
        await f.Engine.DeleteAsync("web");
        Directory.Exists(f.Store.Dir("web")).ShouldBeFalse();
        File.Exists(f.Store.UnitFile("web")).ShouldBeFalse();
        File.Exists(f.Store.LogFile("web")).ShouldBeFalse();
        Directory.Exists(cgroupPath).ShouldBeFalse();
        File.ReadAllText("/proc/self/mountinfo").ShouldNotContain(f.Store.Rootfs("web"));
        Directory.GetDirectories("/sys/fs/cgroup", "*", SearchOption.TopDirectoryOnly)
            .Select(h => Path.Combine(h, Volt.Workloads.Cgroups.CgroupDetector.ParentFor(f.Paths), "web")).Where(Directory.Exists).ShouldBeEmpty();
    }

    [Fact]
    public async Task Output_goes_to_the_log_and_exit_codes_are_recorded()
    {
        await using var f = new ContainerFixture();
        f.Create("hello", "/bin/echo", "hi from busybox");
        f.Create("seven", "/bin/sh", "-c", "exit 7");
        await f.Runtime.StartAsync("hello");
        await f.Runtime.StartAsync("seven");
        await ContainerFixture.WaitFor(() => f.Engine.View("hello").Status != ContainerStatus.Running && f.Engine.View("seven").Status != ContainerStatus.Running
            && f.Runtime.Running.Count == 0, what: "both to exit");
        File.ReadAllText(f.Store.LogFile("hello")).ShouldContain("hi from busybox");
        f.Store.State("hello").ExitCode.ShouldBe(0);
        f.Store.State("hello").Status.ShouldBe(ContainerStatus.Stopped);
        f.Store.State("seven").ExitCode.ShouldBe(7);
        f.Store.State("seven").Status.ShouldBe(ContainerStatus.Failed);
    }

    [Fact]
    public async Task A_pid1_ignoring_SIGTERM_is_killed_when_the_timeout_ends()
    {
        await using var f = new ContainerFixture();
        f.Engine.Create(new CreateRequest { Name = "stubborn", Image = f.Image, Init = true, Command = ["/bin/sh", "-c", "trap '' TERM; while true; do sleep 1; done"] });
        await f.Runtime.StartAsync("stubborn");
        await Task.Delay(300);
        var sw = Stopwatch.StartNew();
        await f.Runtime.StopAsync("stubborn", TimeSpan.FromSeconds(1.5));
        sw.Elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(1.4));
        sw.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), "killed when the timeout ends, not left running");
        f.Engine.View("stubborn").Status.ShouldBe(ContainerStatus.Stopped);
        f.Host.Cgroups.Exists("stubborn").ShouldBeFalse();
    }

    [Fact]
    public async Task A_memory_hog_over_its_limit_is_oom_killed_and_shows_failed()
    {
        await using var f = new ContainerFixture();
        f.Engine.Create(new CreateRequest { Name = "hog", Image = f.Image, Memory = "32M", Command = ["/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=200M", "count=1"] });
        await f.Runtime.StartAsync("hog");
        await ContainerFixture.WaitFor(() => f.Runtime.Running.Count == 0, what: "the hog to die");
        var state = f.Store.State("hog");
        state.Status.ShouldBe(ContainerStatus.Failed);
        state.OomKilled.ShouldBeTrue();
    }

    [Fact]
    public async Task Update_memory_on_a_running_container_is_in_the_cgroup_at_once()
    {
        await using var f = new ContainerFixture();
        f.Engine.Create(new CreateRequest { Name = "upd", Image = f.Image, Memory = "64M", Cpu = "200", Command = ["/bin/sleep", "1000"] });
        await f.Runtime.StartAsync("upd");
        f.Host.Cgroups.ReadLimits("upd").MemoryBytes.ShouldBe(64L << 20);
        f.Host.Cgroups.ReadLimits("upd").CpuPercent.ShouldBe(200);
        f.Engine.Update("upd", "128M", "50", "100");
        var limits = f.Host.Cgroups.ReadLimits("upd");
        limits.ShouldBe(new Volt.Workloads.Cgroups.ResourceLimits(128L << 20, 50, 100));
        var limitFile = f.Host.Cgroups.Version == "v1" ? "memory.limit_in_bytes" : "memory.max";
        File.ReadAllText(Path.Combine(f.Host.Cgroups.PathOf("upd"), limitFile)).Trim().ShouldBe((128L << 20).ToString());
        f.Store.Config("upd").MemoryBytes.ShouldBe(128L << 20);
        File.ReadAllText(f.Store.UnitFile("upd")).ShouldContain("MemoryMax=134217728");
        await f.Runtime.StopAsync("upd", TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task A_new_runtime_re_adopts_a_running_container_and_can_stop_it()
    {
        await using var f = new ContainerFixture();
        f.Create("keep", "/bin/sleep", "1000");
        await f.Runtime.StartAsync("keep");
        var pid = f.Store.State("keep").Pid;
        await using var second = new Volt.Workloads.Runtime.ContainerRuntime(f.Host);
        (await second.AdoptAsync()).ShouldBe(["keep"]);
        f.Store.State("keep").Pid.ShouldBe(pid);
        await second.StopAsync("keep", TimeSpan.FromSeconds(3));
        f.Engine.View("keep").Status.ShouldBe(ContainerStatus.Stopped);
    }

    [Fact]
    public async Task Bad_input_maps_to_exit_codes()
    {
        await using var f = new ContainerFixture();
        f.Create("dup", "/bin/true");
        Should.Throw<VoltException>(() => f.Create("dup", "/bin/true")).Code.ShouldBe(ExitCode.AlreadyExists);
        Should.Throw<VoltException>(() => f.Engine.Create(new CreateRequest { Name = "m", Image = f.Image, Memory = "1Q" })).Code.ShouldBe(ExitCode.Usage);
        var e = Should.Throw<VoltException>(() => f.Engine.Create(new CreateRequest { Name = "x", Image = "/nonexistent/image" }));
        e.Code.ShouldBe(ExitCode.NotFound);
        e.Message.ShouldContain("/nonexistent/image");
        Should.Throw<VoltException>(() => f.Engine.Create(new CreateRequest { Name = "Bad Name", Image = f.Image })).Code.ShouldBe(ExitCode.Usage);
        Should.Throw<VoltException>(() => f.Engine.View("nope") is var _ && f.Engine.Update("nope", "1G", null, null) is var __).Code.ShouldBe(ExitCode.NotFound);
        Directory.Exists(f.Store.Dir("m")).ShouldBeFalse();
        Directory.Exists(f.Store.Dir("x")).ShouldBeFalse();
    }

    [Fact]
    public async Task An_interrupted_create_shows_failed_and_delete_cleans_it_up()
    {
        await using var f = new ContainerFixture();
        f.Create("half", "/bin/true");
        using (var dead = Process.Start(new ProcessStartInfo("true"))!) { dead.WaitForExit(); f.Store.Save("half", new ContainerState { Status = ContainerStatus.Creating, CreatorPid = dead.Id }); }
        f.Engine.View("half").Status.ShouldBe(ContainerStatus.Failed);
        await f.Engine.DeleteAsync("half");
        Directory.Exists(f.Store.Dir("half")).ShouldBeFalse();
        File.ReadAllText("/proc/self/mountinfo").ShouldNotContain(f.Store.Rootfs("half"));
    }
}
