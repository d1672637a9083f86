using Shouldly;
using Volt.Testing;
using Volt.Vms.Tests.Support;
using Xunit;

namespace Volt.Vms.Tests.Machines;

/// <summary>
/// The real binary end to end on a VM it started itself: <c>volt vm start</c> (voltd started on demand, QEMU under
/// it), then <c>volt vm update --cpu</c> from another CLI process hotplugs into that running QEMU and the guest onlines
/// the vCPU, and unplugs it again. One TCG boot; voltd is stopped by the pid it wrote.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class VmCliTests(VmFixture fx) : IAsyncLifetime
{
    private const string Vm = "cli1";

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    private (int Code, string Out, string Err) Cli(params string[] args) => VoltBinary.Run(fx.Paths.Root, args);

    [Fact]
    public void UpdateCpu_OnAVmTheCliStarted_HotplugsIntoItsRunningQemu_AndUnplugs()
    {
        fx.Require();
        var r = Cli("vm", "create", Vm, "--image", VmFixture.Image, "--kernel", "minimal", "--memory", "192M", "--accel", "tcg");
        r.Code.ShouldBe(0, r.Err);
        r = Cli("vm", "start", Vm);
        r.Code.ShouldBe(0, r.Err);
        r = Cli("vm", "exec", Vm, "--timeout", "8m", "--", "true");
        r.Code.ShouldBe(0, r.Err);

        var state = fx.Engine.Store.State(Vm);
        state.Supervisor.ShouldBe("voltd");
        if (state.MaxCpus is not > 1)
        {
            Cli("vm", "update", Vm, "--cpu", "2").Out.ShouldContain("at the next start");
            return;
        }
        r = Cli("vm", "update", Vm, "--cpu", "2");
        r.Code.ShouldBe(0, r.Err);
        r.Out.ShouldContain("vCPUs: 2 now, hotplugged (QEMU booted with 1");
        r.Out.Trim().ShouldEndWith("online in the guest: 0-1");
        Cli("vm", "exec", Vm, "--", "cat", "/sys/devices/system/cpu/online").Out.Trim().ShouldBe("0-1");

        r = Cli("vm", "update", Vm, "--cpu", "1");
        r.Code.ShouldBe(0, r.Err);
        r.Out.Trim().ShouldBe("vCPUs: 1 now, unplugged (QEMU booted with 1)");
        Cli("vm", "stop", Vm, "--time", "2").Code.ShouldBe(0);
    }

    /// <summary>Still running: its /proc entry is there and not a zombie (nobody may reap an orphaned voltd here).</summary>
    private static bool Alive(int pid)
    {
        try { var stat = File.ReadAllText($"/proc/{pid}/stat"); return stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() != 'Z'; }
        catch (IOException) { return false; }
    }

    public async ValueTask DisposeAsync()
    {
        // voltd stops its VMs on SIGTERM (powerdown, then quit); it was started by this test's CLI calls.
        if (File.Exists(fx.Paths.PidFile) && int.TryParse(File.ReadAllText(fx.Paths.PidFile).Trim(), out var pid) && pid > 0)
        {
            Volt.Core.Native.LibC.kill(pid, 15);
            var until = DateTime.UtcNow.AddSeconds(60);
            while (Alive(pid) && DateTime.UtcNow < until) await Task.Delay(100);
            if (Alive(pid)) Volt.Core.Native.LibC.kill(pid, 9);
        }
    }
}
