using Shouldly;
using Volt.Vms.Machines;
using Volt.Vms.Qemu;
using Volt.Vms.Tests.Support;
using Volt.Workloads.Model;
using Xunit;

namespace Volt.Vms.Tests.Machines;

/// <summary>
/// Failures seen by the supervision while QEMU runs (real QEMU, TCG; neither waits for the guest to boot: a start
/// returns once QMP answers): a kill -9 under <c>--restart on-failure</c> is restarted, and a QEMU paused by no one
/// Volt knows of (what a KVM internal error does) is killed and failed, never shown running.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class VmFailureTests(VmFixture fx)
{
    [Fact]
    public async Task AKill9_UnderRestartOnFailure_IsRestartedWithANewQemu()
    {
        fx.Require();
        var store = fx.Engine.Store;
        await fx.Engine.CreateAsync(new VmCreateRequest { Name = "rs1", Image = VmFixture.Image, Kernel = "minimal", Memory = "128M", Accel = "tcg", Restart = "on-failure" });
        await fx.Runtime.StartAsync("rs1");
        var first = store.State("rs1").Pid!.Value;
        Core.Native.LibC.kill(first, 9);
        await WaitAsync(() => store.State("rs1") is { Status: WorkloadStatus.Running, Pid: { } p } && p != first, "a restarted QEMU");
        var s = store.State("rs1");
        s.Restarts.ShouldBe(1);
        Workloads.Services.ProcessIdentity.IsAlive(s.Pid, s.PidStartTime).ShouldBeTrue();
        await fx.Runtime.StopAsync("rs1", TimeSpan.Zero);
        store.State("rs1").Status.ShouldBe(WorkloadStatus.Stopped);
    }

    [Fact]
    public async Task AQemuPausedNotByVolt_IsKilledAndFailed_WithTheStatusNamed()
    {
        fx.Require();
        var store = fx.Engine.Store;
        await fx.Engine.CreateAsync(new VmCreateRequest { Name = "pause1", Image = VmFixture.Image, Kernel = "minimal", Memory = "128M", Accel = "tcg" });
        await fx.Runtime.StartAsync("pause1");
        var pid = store.State("pause1").Pid;
        await using (var qmp = await QmpClient.ConnectAsync(store.QmpSocket("pause1")))
            await qmp.ExecuteAsync("stop");
        await WaitAsync(() => store.State("pause1").Status == WorkloadStatus.Failed, "the paused VM to be failed");
        store.State("pause1").Error!.ShouldContain("status \"paused\"");
        new VmDriver(store).Info("pause1").Status.ShouldBe(WorkloadStatus.Failed);
        Workloads.Services.ProcessIdentity.IsAlive(pid, null).ShouldBeFalse();
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited 90s for {what}");
            await Task.Delay(100);
        }
    }
}
