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
}
