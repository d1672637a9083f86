using Shouldly;
using Volt.Core.Errors;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Containers;
using Volt.Workloads.Tests.Support;
using Xunit;

namespace Volt.Workloads.Tests.Containers;

/// <summary>
/// A start that fails after nspawn runs (the network attach of <c>--publish</c>, a cancelled request) undoes everything:
/// no cgroup directory in any hierarchy, no mount, no record for a create, the previous state for a start.
/// </summary>
public sealed class FailedStartCleanupTests
{
    private static IEnumerable<string> CgroupLeftovers(ContainerFixture f, string name) =>
        Directory.GetDirectories("/sys/fs/cgroup").Append("/sys/fs/cgroup")
            .Select(h => Path.Combine(h, CgroupDetector.ParentFor(f.Paths), name)).Where(Directory.Exists);

    [Fact]
    public async Task A_create_and_start_whose_port_is_taken_leaves_no_cgroup_mount_or_record()
    {
        var attacher = new FailingNetworkAttacher();
        await using var f = new ContainerFixture(attacher);
        var e = await Should.ThrowAsync<VoltException>(() => f.Runtime.CreateAndStartAsync(
            new CreateRequest { Name = "pub", Image = f.Image, Publish = ["18999:80"], Command = ["/bin/sleep", "1000"] }));
        e.Code.ShouldBe(ExitCode.Conflict);
        CgroupLeftovers(f, "pub").ShouldBeEmpty();
        f.Store.Exists("pub").ShouldBeFalse();
        File.ReadAllText("/proc/self/mountinfo").ShouldNotContain(f.Store.Rootfs("pub"));
        attacher.Detaches.ShouldBeGreaterThan(0, "an attach that was started is undone");
    }

    [Fact]
    public async Task A_start_whose_port_is_taken_leaves_the_container_stopped_and_deletable()
    {
        await using var f = new ContainerFixture(new FailingNetworkAttacher());
        f.Engine.Create(new CreateRequest { Name = "pub", Image = f.Image, Publish = ["18999:80"], Command = ["/bin/sleep", "1000"] });
        (await Should.ThrowAsync<VoltException>(() => f.Runtime.StartAsync("pub"))).Code.ShouldBe(ExitCode.Conflict);
        f.Engine.View("pub").Status.ShouldBe(ContainerStatus.Stopped);
        f.Store.State("pub").Pid.ShouldBeNull();
        CgroupLeftovers(f, "pub").ShouldBeEmpty();
        await f.Engine.DeleteAsync("pub");
        f.Store.Exists("pub").ShouldBeFalse();
    }

    [Fact]
    public async Task A_create_and_start_cancelled_mid_attach_leaves_nothing()
    {
        var attacher = new FailingNetworkAttacher(hang: TimeSpan.FromSeconds(30));
        await using var f = new ContainerFixture(attacher);
        using var cts = new CancellationTokenSource();
        var run = f.Runtime.CreateAndStartAsync(
            new CreateRequest { Name = "cut", Image = f.Image, Publish = ["18999:80"], Command = ["/bin/sleep", "1000"] }, cts.Token);
        // The network is wired after nspawn's (gated) launch and before the payload may run.
        await attacher.AttachStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cts.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => run);
        CgroupLeftovers(f, "cut").ShouldBeEmpty();
        f.Store.Exists("cut").ShouldBeFalse();
    }
}
