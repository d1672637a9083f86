using Shouldly;
using Volt.Testing;

namespace Volt.Compose.Tests.Integration;

/// <summary>
/// A Constellation's <c>vms:</c> entry brought up by <c>up</c> through the VM engine and voltd (one real QEMU boot,
/// TCG where KVM is not proven): the guest's init reaches its serial console, <c>ps</c> shows the VM running, a
/// container that <c>depends_on</c> it starts after it, and <c>down</c> deletes the VM. The kernel package comes from
/// Debian once per machine (VOLT_KERNEL_CACHE, shared with the VM tests).
/// </summary>
public sealed class VmStackTests
{
    private const string Marker = "VOLT-STACK-GUEST-READY";

    [Fact]
    public async Task A_constellation_vm_boots_under_up_before_its_dependent_and_down_deletes_it()
    {
        TestEnv.RequireRoot("VMs need KVM or TCG, TAP and cgroups");
        TestEnv.RequireTool("qemu-system-x86_64");
        TestEnv.RequireTool("mke2fs");
        TestEnv.RequireTool("apt-get");
        TestEnv.RequireTool("systemd-nspawn");
        using var dir = new TempDir("compose-vm");
        var root = dir.Combine("root");
        var env = new Dictionary<string, string> { ["VOLT_ROOT"] = root, ["VOLT_COLOR"] = "never", ["VOLT_KERNEL_CACHE"] = "/var/cache/volt-test/kernels" };
        (int Code, string Out, string Err) Volt(params string[] a) => TestEnv.Run(VoltBinary.Path, a, env, null);
        var kernel = Volt("kernel", "add", "minimal");
        if (kernel.Code != 0 && DebianRootfs.MirrorUnreachable() is { } why) Assert.Skip($"the Debian mirror cannot be reached ({why})");
        kernel.Code.ShouldBe(0, kernel.Out + kernel.Err);

        // The guest: busybox whose init says it is up on the serial console, then idles.
        var rootfs = Busybox.Create(dir.Combine("guest"));
        Directory.CreateDirectory(Path.Combine(rootfs, "sbin"));
        var init = Path.Combine(rootfs, "sbin", "init");
        File.WriteAllText(init, $"#!/bin/busybox sh\n/bin/busybox mount -t proc proc /proc\necho {Marker}\nexec /bin/busybox sleep 100000\n");
        File.SetUnixFileMode(init, (UnixFileMode)0b111_101_101);
        var img = Volt("image", "build-from-dir", rootfs, "--name", "stackvm:1", "--cmd", "/sbin/init");
        img.Code.ShouldBe(0, img.Out + img.Err);
        var busybox = Busybox.Create(dir.Combine("ctr"));

        var file = dir.Write("stack/volt-compose.yaml", $$$"""
            version: "1"
            name: vmstk
            vms:
              guest: {image: "stackvm:1", kernel: minimal, cpu: 1, memory: 128M}
            containers:
              after: {image: {{{busybox}}}, command: [sleep, "600"], network_mode: none, depends_on: {guest: {condition: service_started} } }
            """);
        (int Code, string Out, string Err) Compose(params string[] a) => Volt(["compose", "-f", file, .. a]);
        try
        {
            var up = Compose("up", "-d");
            up.Code.ShouldBe(0, up.Out + up.Err);
            var lines = up.Out.Split('\n').ToList();
            lines.FindIndex(l => l.Contains("guest (vmstk-guest): started", StringComparison.Ordinal)).ShouldBeGreaterThanOrEqualTo(0, up.Out);
            lines.FindIndex(l => l.Contains("after (vmstk-after-1): created", StringComparison.Ordinal))
                .ShouldBeGreaterThan(lines.FindIndex(l => l.Contains("guest (vmstk-guest): started", StringComparison.Ordinal)), up.Out);

            // The guest really booted: its init's line on the serial console (TCG under load: generous).
            using (var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
            {
                var log = "";
                while (!log.Contains(Marker, StringComparison.Ordinal))
                {
                    deadline.IsCancellationRequested.ShouldBeFalse($"the guest's serial console never showed {Marker} within 3 min: {log}");
                    log = Volt("vm", "logs", "vmstk-guest").Out;
                    try { await Task.Delay(500, deadline.Token); } catch (OperationCanceledException) { }
                }
            }
            var ps = Compose("ps");
            ps.Out.Split('\n').Single(l => l.Contains("vmstk-guest", StringComparison.Ordinal)).ShouldContain("running", customMessage: ps.Out);
            Compose("ps", "-o", "json").Out.ShouldContain("\"(vm)\"");

            var down = Compose("down");
            down.Code.ShouldBe(0, down.Out + down.Err);
            Volt("vm", "list").Out.ShouldNotContain("vmstk-");
            Volt("container", "list").Out.ShouldNotContain("vmstk-");
            TestEnv.Run("pgrep", "-f", Path.Combine(root, "var/lib/volt/vms")).Code.ShouldNotBe(0, "no QEMU of the stack is left");
        }
        finally
        {
            Compose("down");
            var pidFile = Path.Combine(root, "var/run/volt/volt.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) TestEnv.Run("kill", "-9", pid.ToString());
        }
    }
}
