using Shouldly;
using Volt.Vms.Machines;
using Volt.Vms.Tests.Support;
using Xunit;

namespace Volt.Vms.Tests.Machines;

/// <summary>
/// <c>vm exec</c> right after <c>vm start</c>, before the image's own init has done anything: the guest's init here
/// blocks on a FIFO nobody writes before it would mount <c>/proc</c> or link busybox's applets, so the window in which
/// s7 saw "/bin/sh: cat: not found" (1 run in 16) is held open for the whole test. Volt's initramfs moved <c>/proc</c>,
/// <c>/sys</c> and <c>/dev</c> into the root, and its agent answers only once PID 1 is the image's init.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class VmExecTests(VmFixture fx)
{
    private const string Vm = "heldvm";
    private const string Image = "vmtest/busybox-held:1";

    [Fact]
    public async Task ExecRightAfterStart_RunsBusyboxApplets_BeforeTheImagesInitMountedProcOrLinkedApplets()
    {
        fx.Require();
        fx.BuildImage(Image, "/bin/busybox mkfifo /tmp/hold\nread -r go </tmp/hold\n/bin/busybox --install -s /bin\nmount -t proc proc /proc\n");
        await fx.Engine.CreateAsync(new VmCreateRequest { Name = Vm, Image = Image, Kernel = "minimal", Memory = "192M", Accel = "tcg" });
        await fx.Runtime.StartAsync(Vm);
        try
        {
            var r = await new VmExec(fx.Engine.Store).RunAsync(Vm,
                "cat /proc/self/status; cat /proc/1/cmdline; echo; [ -e /bin/cat ] || echo no-applet-links-yet", TimeSpan.FromMinutes(8));
            r.Output.ShouldNotContain("not found");
            r.Output.ShouldContain("Name:\tcat", customMessage: r.Output);
            r.Output.ShouldContain("/sbin/init", customMessage: "PID 1 is the image's init: the agent answered after switch_root\n" + r.Output);
            r.Output.ShouldContain("no-applet-links-yet", customMessage: "the image's init is still held\n" + r.Output);
            r.ExitCode.ShouldBe(0, r.Output);
        }
        finally
        {
            await fx.Runtime.StopAsync(Vm, TimeSpan.FromSeconds(1));
        }
    }
}
