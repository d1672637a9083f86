using Shouldly;
using Volt.Core.Errors;
using Volt.Vms.Machines;
using Volt.Vms.Tests.Support;
using Xunit;

namespace Volt.Vms.Tests.Machines;

/// <summary>Disk snapshots with real qcow2 overlays: what the VM wrote after a snapshot is gone after its restore.</summary>
[Collection(VmCollection.Name)]
public sealed class VmSnapshotTests(VmFixture fx)
{
    [Fact]
    public async Task ARestoredSnapshot_BringsBackTheDiskAsItWas_AndKeepsTheSharedBase()
    {
        fx.Require();
        await fx.Engine.CreateAsync(new VmCreateRequest { Name = "snap1", Image = VmFixture.Image, Kernel = "minimal", Memory = "128M" });
        var disk = fx.Engine.Store.Disk("snap1");
        var snaps = new VmSnapshots(fx.Engine.Store, fx.Processes);
        Testing.TestEnv.Run("qemu-io", "-c", "write -P 0x11 64M 1M", disk).Code.ShouldBe(0);
        var s = await snaps.CreateAsync("snap1", "before", _ => false);
        s.File.ShouldEndWith("/snapshots/before.qcow2");
        Testing.TestEnv.Run("qemu-io", "-c", "write -P 0x22 64M 1M", disk).Code.ShouldBe(0);
        Testing.TestEnv.Run("qemu-io", "-c", "read -P 0x22 64M 1M", disk).Out.ShouldNotContain("Pattern verification failed");

        (await Should.ThrowAsync<VoltException>(() => snaps.RestoreAsync("snap1", "before", _ => true))).Code.ShouldBe(ExitCode.Conflict);
        await snaps.RestoreAsync("snap1", "before", _ => false);
        Testing.TestEnv.Run("qemu-io", "-c", "read -P 0x11 64M 1M", disk).Out.ShouldNotContain("Pattern verification failed");
        Testing.TestEnv.Run("qemu-img", "info", "-U", disk).Out.ShouldContain("vm-base.qcow2");

        snaps.List("snap1").Select(x => x.Name).ShouldBe(["before"]);
        (await Should.ThrowAsync<VoltException>(() => snaps.CreateAsync("snap1", "before", _ => false))).Code.ShouldBe(ExitCode.AlreadyExists);
        snaps.Delete("snap1", "before");
        snaps.List("snap1").ShouldBeEmpty();
        Should.Throw<VoltException>(() => snaps.Delete("snap1", "before")).Code.ShouldBe(ExitCode.NotFound);
    }
}
