using System.Diagnostics;
using Shouldly;
using Volt.Workloads.Containers;
using Volt.Workloads.Tests.Support;
using Xunit;

namespace Volt.Workloads.Tests.Containers;

/// <summary><see cref="ContainerEngine.CollectOrphansAsync(CancellationToken)"/> on real cgroups, mounts and records.</summary>
public sealed class OrphanCollectorTests
{
    [Fact]
    public async Task Leftovers_without_a_record_and_interrupted_creates_are_collected_and_live_containers_kept()
    {
        await using var f = new ContainerFixture();
        f.Host.Cgroups.Create("ghost");
        Directory.CreateDirectory(Path.GetDirectoryName(f.Store.LogFile("ghost"))!);
        File.WriteAllText(f.Store.LogFile("ghost"), "old output");
        f.Create("half", "/bin/true");
        using (var dead = Process.Start(new ProcessStartInfo("true"))!)
        {
            dead.WaitForExit();
            f.Store.Save("half", new ContainerState { Status = ContainerStatus.Creating, CreatorPid = dead.Id });
        }
        f.Create("live", "/bin/sleep", "1000");
        await f.Runtime.StartAsync("live");
        f.Create("stopped", "/bin/true");

        var removed = await f.Engine.CollectOrphansAsync();

        removed.Select(o => o.Container).Distinct().Order().ShouldBe(["ghost", "half"]);
        f.Host.Cgroups.Exists("ghost").ShouldBeFalse();
        File.Exists(f.Store.LogFile("ghost")).ShouldBeFalse();
        f.Store.Exists("half").ShouldBeFalse();
        File.ReadAllText("/proc/self/mountinfo").ShouldNotContain(f.Store.Rootfs("half"));
        f.Engine.View("live").Status.ShouldBe(ContainerStatus.Running);
        f.Host.Cgroups.Exists("live").ShouldBeTrue();
        f.Store.Exists("stopped").ShouldBeTrue();
        (await f.Engine.CollectOrphansAsync()).ShouldBeEmpty("nothing more to collect");
        await f.Runtime.StopAsync("live", TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task A_name_whose_lock_is_held_is_left_alone()
    {
        await using var f = new ContainerFixture();
        f.Host.Cgroups.Create("busy");
        using (f.Store.Lock("busy"))
            (await f.Engine.CollectOrphansAsync()).ShouldBeEmpty();
        f.Host.Cgroups.Exists("busy").ShouldBeTrue();
        (await f.Engine.CollectOrphansAsync()).Select(o => o.Container).ShouldBe(["busy"]);
    }
    [Fact]
    public async Task A_rm_container_that_ran_and_was_left_behind_is_collected_and_one_never_started_is_kept()
    {
        await using var f = new ContainerFixture();
        // What a killed `volt run --rm` leaves: records, the mounted rootfs, a "running" state whose nspawn is gone.
        f.Engine.Create(new CreateRequest { Name = "left", Image = f.Image, Command = ["/bin/true"], AutoRemove = true });
        using (var dead = Process.Start(new ProcessStartInfo("true"))!)
        {
            dead.WaitForExit();
            f.Store.Save("left", new ContainerState { Status = ContainerStatus.Running, Pid = dead.Id, Supervisor = "cli", StartedAt = DateTimeOffset.UtcNow });
        }
        f.Engine.Create(new CreateRequest { Name = "created", Image = f.Image, Command = ["/bin/true"], AutoRemove = true });

        var removed = await f.Engine.CollectOrphansAsync();

        removed.Select(o => o.Container).Distinct().ShouldBe(["left"]);
        f.Store.Exists("left").ShouldBeFalse();
        File.ReadAllText("/proc/self/mountinfo").ShouldNotContain(f.Store.Rootfs("left"));
        f.Store.Exists("created").ShouldBeTrue("created with --rm but never started: still the user's");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(300)]
    public async Task Records_a_crash_left_empty_or_zero_filled_read_as_an_interrupted_create_and_are_collected(int zeros)
    {
        await using var f = new ContainerFixture();
        // A --rm container's records are written without fsync: after a power cut ext4 shows them empty, others zero-filled.
        f.Engine.Create(new CreateRequest { Name = "torn", Image = f.Image, Command = ["/bin/true"], AutoRemove = true });
        File.WriteAllBytes(f.Store.StateFile("torn"), new byte[zeros]);
        File.WriteAllBytes(f.Store.ConfigFile("torn"), new byte[zeros]);

        var view = f.Engine.View("torn");
        view.Config.ShouldBeNull();
        view.Status.ShouldBe(ContainerStatus.Failed);
        f.Engine.List().Select(v => v.Name).ShouldBe(["torn"], "ps still lists it instead of failing on the file");

        (await f.Engine.CollectOrphansAsync()).Select(o => o.Container).Distinct().ShouldBe(["torn"]);
        f.Store.Exists("torn").ShouldBeFalse();
        File.ReadAllText("/proc/self/mountinfo").ShouldNotContain(f.Store.Rootfs("torn"));
    }
}
