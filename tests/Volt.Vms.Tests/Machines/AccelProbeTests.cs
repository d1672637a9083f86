using Shouldly;
using Volt.Vms.Qemu;
using Volt.Vms.Tests.Support;
using Xunit;

namespace Volt.Vms.Tests.Machines;

/// <summary>
/// The KVM probe boots the profile's kernel under KVM with a deadline. Where KVM works it says so; where it is absent
/// or broken (this CI: /dev/kvm present, guests hang or QEMU pauses) TCG is chosen with the reason, and a probe that
/// outlives its deadline is killed.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class AccelProbeTests(VmFixture fx)
{
    [Fact]
    public async Task TheProbe_DecidesByABootWithinItsDeadline_AndLeavesNoQemuBehind()
    {
        fx.Require();
        var probe = new AccelProbe(new Core.Paths.VoltPaths(Path.Combine(fx.Paths.Root, "probe")));
        var kernel = fx.Kernels.Store.KernelPath(fx.Profile);
        var initrd = fx.Kernels.Store.InitramfsPath(fx.Profile);
        var before = ProbeQemuPids(kernel);
        var r = await probe.ProbeAsync(kernel, initrd, TimeSpan.FromSeconds(5));
        if (r.KvmWorks) r.Reason.ShouldContain("reached the guest");
        else r.Reason.ShouldMatch("no /dev/kvm|cannot be opened|exited with|hung: killed at its 5s deadline");
        ProbeQemuPids(kernel).Except(before).ShouldBeEmpty();
        probe.Cached()!.KvmWorks.ShouldBe(r.KvmWorks);
        var (accel, reason) = await probe.ChooseAsync("auto", kernel, initrd);
        accel.ShouldBe(r.KvmWorks ? "kvm" : "tcg");
        reason.ShouldBe(r.Reason);
        (await probe.ChooseAsync("tcg", kernel, initrd)).Accel.ShouldBe("tcg");
    }

    /// <summary>The probe QEMUs booting this fixture's kernel (its path is in this test run's own root), so a VM that
    /// another suite (or this suite's other classes) runs meanwhile is not mistaken for one the probe left behind.</summary>
    private static HashSet<int> ProbeQemuPids(string kernel) =>
        [.. Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => int.TryParse(n, out _)).Select(int.Parse!)
            .Where(p =>
            {
                try
                {
                    if (!File.ReadAllText($"/proc/{p}/comm").StartsWith("qemu-system", StringComparison.Ordinal)) return false;
                    var argv = File.ReadAllText($"/proc/{p}/cmdline").Split('\0');
                    return argv.Contains(kernel) && argv.Any(a => a.Contains("volt.probe", StringComparison.Ordinal));
                }
                catch (IOException) { return false; }
            })];
}
