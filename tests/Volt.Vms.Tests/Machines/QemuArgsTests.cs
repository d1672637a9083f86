using Shouldly;
using Volt.Vms.Kernels;
using Volt.Vms.Machines;
using Volt.Vms.Qemu;
using Xunit;

namespace Volt.Vms.Tests.Machines;

public sealed class QemuArgsTests
{
    [Fact]
    public void AKernelBoot_HasNoDefaultDevices_TheConsoleOnASocketWithALog_TheAgentOnSerial1_AndQmp()
    {
        var a = QemuArgs.Build(new QemuLaunch
        {
            Name = "web", Accel = "tcg", Cpus = 2, MemoryMiB = 256, Kernel = "/k/vmlinux", Initramfs = "/k/initramfs.img", Cmdline = "console=ttyS0",
            Disk = "/v/disk,1.qcow2", SerialLog = "/v/serial.log", ConsoleSocket = "/r/console.sock", AgentSocket = "/r/agent.sock", QmpSocket = "/r/qmp.sock",
        });
        string.Join(' ', a).ShouldContain("-nodefaults -no-user-config -nographic -no-reboot -machine pc,accel=tcg -cpu max -smp 2 -m 256M");
        a.ShouldContain("id=root,file=/v/disk,,1.qcow2,format=qcow2,if=none,cache=writeback,discard=unmap");
        a.ShouldContain("socket,id=console,path=/r/console.sock,server=on,wait=off,logfile=/v/serial.log,logappend=on");
        a.ShouldContain("socket,id=agent,path=/r/agent.sock,server=on,wait=off");
        a.ShouldContain("unix:/r/qmp.sock,server=on,wait=off");
        a.ShouldNotContain("virtio-blk-pci,drive=root,bootindex=1"); // -kernel owns the boot
    }

    [Fact]
    public void Kvm_UsesTheHostCpu_AndAFirmwareBootMarksTheDiskBootable()
    {
        var a = QemuArgs.Build(new QemuLaunch { Name = "d", Accel = "kvm", Disk = "/d.qcow2" });
        a[a.IndexOf("-cpu") + 1].ShouldBe("host");
        a.ShouldContain("virtio-blk-pci,drive=root,bootindex=1");
    }

    [Fact]
    public void HotplugRoom_IsSmpMaxcpus_UpToTheHostsCpus_AndNoneWhenThereIsNoRoom()
    {
        string Smp(int cpus, int? max) { var a = QemuArgs.Build(new QemuLaunch { Name = "h", Accel = "tcg", Cpus = cpus, MaxCpus = max }); return a[a.IndexOf("-smp") + 1]; }
        Smp(1, 4).ShouldBe("1,maxcpus=4");
        Smp(2, 2).ShouldBe("2");
        Smp(2, null).ShouldBe("2");
        QemuArgs.MaxCpus(1).ShouldBe(Math.Max(1, Environment.ProcessorCount));
        QemuArgs.MaxCpus(300).ShouldBe(255);
        QemuArgs.MaxCpus(Environment.ProcessorCount + 3).ShouldBe(Math.Min(255, Environment.ProcessorCount + 3));
    }

    [Fact]
    public void TheGuestsRegisteredCpus_AreItsCpuNDirectories_EachButCpu0WithItsOnlineFile_AnUnmatchedGlobCountsNone()
    {
        const string d = "/sys/devices/system/cpu/";
        VmUpdater.GuestCpusRegistered($"{d}cpu0 {d}cpu1 {d}cpu1/online\n").ShouldBe(2);
        VmUpdater.GuestCpusRegistered($"{d}cpu0 {d}cpu1 {d}cpu[0-9]*/online").ShouldBe(1, "cpu1's online file is not there yet");
        VmUpdater.GuestCpusRegistered($"{d}cpu0 {d}cpu0/online {d}cpu1 {d}cpu1/online").ShouldBe(2);
        VmUpdater.GuestCpusRegistered($"{d}cpu[0-9]* {d}cpu[0-9]*/online").ShouldBe(0);
        VmUpdater.GuestCpusRegistered($"{d}cpu0 {d}cpufreq {d}cpu12 {d}cpu12/online").ShouldBe(2);
        VmUpdater.GuestCpusRegistered("").ShouldBe(0);
    }

    [Fact]
    public void TheKernelIp_IsTheKernelsIpSyntax_ForVoltsInitramfs()
    {
        new VmNetAttachment("vt0", "10.88.0.5", 16, "10.88.0.1").KernelIp("web").ShouldBe("10.88.0.5::10.88.0.1:255.255.0.0:web:eth0:off:10.88.0.1");
        new VmNetAttachment("vt0", "10.88.0.5", 16, null).KernelIp("web").ShouldBe("10.88.0.5:::255.255.0.0:web:eth0:off");
        var p = new KernelProfile { Name = "server", Cmdline = "console=ttyS0 quiet" };
        QemuArgs.Cmdline(p, "10.0.0.2::10.0.0.1:255.255.255.0:web:eth0:off", "loglevel=7")
            .ShouldBe("console=ttyS0 quiet root=/dev/vda rw ip=10.0.0.2::10.0.0.1:255.255.255.0:web:eth0:off loglevel=7");
    }

    [Theory]
    [InlineData("512M", 512L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("1.5G", 3L << 29)]
    [InlineData("10Gi", 10L << 30)]
    [InlineData("4096", 4096L)]
    public void Sizes_Parse(string text, long bytes) => VmEngine.ParseSize(text, "--memory").ShouldBe(bytes);

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("-1G")]
    [InlineData("5X")]
    public void BadSizes_AreUsageErrors(string text) =>
        Should.Throw<Core.Errors.VoltException>(() => VmEngine.ParseSize(text, "--memory")).Code.ShouldBe(Core.Errors.ExitCode.Usage);
}
