using Shouldly;
using Xunit;
using Volt.Core.Errors;
using Volt.Vms.Machines;
using Volt.Testing;
using Volt.Vms.Tests.Support;
using Volt.Workloads.Model;

namespace Volt.Vms.Tests.Machines;

/// <summary>
/// Real QEMU (TCG) booting Debian's cloud kernel with Volt's initramfs into a disk made from a Stellarium image:
/// the guest's userspace line on the serial log, exec through the agent, failure on kill -9, graceful stop.
/// One VM, booted twice, so the class costs two TCG boots.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class VmBootTests(VmFixture fx)
{
    private static readonly TimeSpan Boot = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task AVmFromAnImage_BootsToItsShell_RunsExec_FailsOnKill9_AndStopsGracefully()
    {
        fx.Require();
        var store = fx.Engine.Store;
        var driver = new VmDriver(store);
        await fx.Engine.CreateAsync(new VmCreateRequest { Name = "boot1", Image = VmFixture.Image, Kernel = "minimal", Memory = "256M", Accel = "tcg" });
        File.Exists(store.Disk("boot1")).ShouldBeTrue();

        await fx.Runtime.StartAsync("boot1");
        driver.Info("boot1").Status.ShouldBe(WorkloadStatus.Running);
        store.State("boot1").Accel.ShouldBe("tcg");
        File.ReadAllText(store.UnitFile("boot1")).ShouldContain("accel=tcg");
        await fx.WaitSerialAsync("boot1", VmFixture.ReadyMarker, Boot);

        var r = await new VmExec(store).RunAsync("boot1", "cat /etc/hostname; echo to-stderr >&2; exit 3", TimeSpan.FromSeconds(60));
        r.ExitCode.ShouldBe(3);
        r.Output.ShouldContain("vmtest");
        r.Output.ShouldContain("to-stderr");

        // The real binary: exactly what the guest command printed (no extra blank line), a duration accepted.
        var cli = VoltBinary.Run(fx.Paths.Root, "vm", "exec", "boot1", "--timeout", "1m", "--", "cat", "/etc/hostname");
        (cli.Code, cli.Out, cli.Err).ShouldBe((0, "vmtest\n", ""));

        // kill -9 of QEMU: failed (restart policy "no"), with the signal named.
        var pid = store.State("boot1").Pid!.Value;
        Volt.Core.Native.LibC.kill(pid, 9);
        await WaitAsync(() => store.State("boot1").Status == WorkloadStatus.Failed);
        store.State("boot1").Error!.ShouldContain("signal 9");
        driver.Info("boot1").Status.ShouldBe(WorkloadStatus.Failed);

        // Started again, then a graceful stop: ACPI powerdown, quit after the (short) timeout.
        await fx.Runtime.StartAsync("boot1");
        (await new VmExec(store).RunAsync("boot1", "true", Boot)).ExitCode.ShouldBe(0);
        await fx.Runtime.StopAsync("boot1", TimeSpan.FromSeconds(2));
        var s = store.State("boot1");
        s.Status.ShouldBe(WorkloadStatus.Stopped);
        s.Error.ShouldBeNull();
        Volt.Workloads.Services.ProcessIdentity.IsAlive(s.Pid, s.PidStartTime).ShouldBeFalse();
    }

    [Fact]
    public async Task AKernelQemuCannotLoad_LeavesTheVmFailed_WithQemusOwnLastLine()
    {
        fx.Require();
        var bad = Path.Combine(fx.Paths.Root, "not-a-kernel");
        await File.WriteAllBytesAsync(bad, new byte[4096]);
        await fx.Kernels.AddAsync(new Volt.Vms.Kernels.KernelAddRequest("broken", KernelFile: bad, InitramfsFile: fx.Kernels.Store.InitramfsPath(fx.Profile)));
        await fx.Engine.CreateAsync(new VmCreateRequest { Name = "badkernel", Image = VmFixture.Image, Kernel = "broken", Memory = "128M", Accel = "tcg" });

        var e = await Should.ThrowAsync<VoltException>(() => fx.Runtime.StartAsync("badkernel"));
        e.Message.ShouldStartWith("VM \"badkernel\" failed to start: ");
        e.Message.ShouldContain("qemu", Case.Insensitive);
        var state = fx.Engine.Store.State("badkernel");
        state.Status.ShouldBe(WorkloadStatus.Failed);
        state.Error.ShouldBe(e.Message);
        new VmDriver(fx.Engine.Store).Info("badkernel").Status.ShouldBe(WorkloadStatus.Failed);
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within 30s");
            await Task.Delay(50);
        }
    }
}
