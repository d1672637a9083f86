using Volt.Core.Paths;
using Xunit;
using Volt.Core.Processes;
using Volt.Images;
using Volt.Images.Oci;
using Volt.Images.Store;
using Volt.Storage.Cas;
using Volt.Testing;
using Volt.Vms.Disks;
using Volt.Vms.Kernels;
using Volt.Vms.Machines;
using Volt.Vms.Qemu;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Services;

namespace Volt.Vms.Tests.Support;

/// <summary>
/// One Volt root shared by the real-QEMU tests: the <c>minimal</c> profile fetched from Debian by
/// <see cref="KernelManager"/> (the .deb cached in /var/cache/volt-test/kernels, so a machine downloads it once),
/// a busybox image in Stellarium whose <c>/sbin/init</c> prints <see cref="ReadyMarker"/>, and a runtime (TCG).
/// </summary>
public sealed class VmFixture : IAsyncLifetime
{
    public const string ReadyMarker = "VOLT-GUEST-READY";
    public const string Image = "vmtest/busybox:1";
    public static readonly string KernelCache = "/var/cache/volt-test/kernels";

    private readonly TempDir _dir = new("vvm");

    public VoltPaths Paths { get; }
    public IProcessRunner Processes { get; } = new ProcessRunner();
    public KernelManager Kernels { get; }
    public VmEngine Engine { get; }
    public VmRuntime Runtime { get; private set; } = null!;
    public KernelProfile Profile { get; private set; } = null!;
    public string? Skip { get; private set; }

    public VmFixture()
    {
        Paths = new VoltPaths(_dir.Path);
        var store = new KernelStore(Paths);
        Kernels = new KernelManager(store, Processes, KernelCache);
        Engine = new VmEngine(new VmStore(Paths), store, new DiskBuilder(Paths, new ImageStore(new CasStore(Paths.Cas)), Processes), Processes);
    }

    public async ValueTask InitializeAsync()
    {
        if (!TestEnv.IsRoot || !TestEnv.HasTool("qemu-system-x86_64") || !TestEnv.HasTool("apt-get") || !TestEnv.HasTool("mke2fs"))
        {
            Skip = "needs root, qemu-system-x86_64, qemu-img, mke2fs and apt (scripts/apt-packages.txt)";
            return;
        }
        Profile = await Kernels.AddAsync(new KernelAddRequest("minimal"));
        BuildImage();
        Runtime = new VmRuntime(Engine, new ServiceLauncher(CgroupDetector.Detect(Paths), Paths.Lib), new AccelProbe(Paths), label: "test");
    }

    public void Require() => TestEnv.Require(Skip is null, Skip ?? "");

    private void BuildImage() => BuildImage(Image,
        $"/bin/busybox --install -s /bin\nmount -t proc proc /proc\nmount -t sysfs sys /sys\necho {ReadyMarker}\nexec sh </dev/ttyS0 >/dev/ttyS0 2>&1\n");

    /// <summary>A busybox image (only <c>/bin/busybox</c> and <c>/bin/sh</c>, no applet links) whose <c>/sbin/init</c>
    /// runs <paramref name="init"/> with busybox's shell.</summary>
    public void BuildImage(string reference, string init)
    {
        var root = _dir.Combine("image-rootfs-" + reference.Replace('/', '-').Replace(':', '-'));
        foreach (var d in new[] { "bin", "sbin", "etc", "proc", "sys", "dev", "tmp", "root" }) Directory.CreateDirectory(Path.Combine(root, d));
        File.Copy(InitramfsBuilder.StaticBusybox(), Path.Combine(root, "bin", "busybox"));
        File.SetUnixFileMode(Path.Combine(root, "bin", "busybox"), (UnixFileMode)0b111_101_101);
        File.CreateSymbolicLink(Path.Combine(root, "bin", "sh"), "busybox");
        File.WriteAllText(Path.Combine(root, "etc", "hostname"), "vmtest\n");
        var file = Path.Combine(root, "sbin", "init");
        File.WriteAllText(file, "#!/bin/busybox sh\n" + init);
        File.SetUnixFileMode(file, (UnixFileMode)0b111_101_101);
        new DirImageBuilder(new CasStore(Paths.Cas), 2).Build(root, ImageReference.Parse(reference), new DirImageOptions { Cmd = ["/sbin/init"] });
    }

    /// <summary>Waits (bounded) until the VM's serial log has <paramref name="text"/>.</summary>
    public async Task<string> WaitSerialAsync(string name, string text, TimeSpan within)
    {
        var log = Engine.Store.SerialLog(name);
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(log))
            {
                var s = await ReadSharedAsync(log);
                if (s.Contains(text, StringComparison.Ordinal)) return s;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"no \"{text}\" in {log} within {within}: {(File.Exists(log) ? await ReadSharedAsync(log) : "(no log)")}");
    }

    private static async Task<string> ReadSharedAsync(string file)
    {
        await using var f = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return await new StreamReader(f).ReadToEndAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Runtime is not null)
        {
            await Runtime.StopAllAsync(TimeSpan.FromSeconds(1));
            await Runtime.DisposeAsync();
        }
        _dir.Dispose();
    }
}

/// <summary>Every class that needs the fetched kernel or a boot shares one <see cref="VmFixture"/> (one kernel add, one image).</summary>
[CollectionDefinition(Name)]
public sealed class VmCollection : ICollectionFixture<VmFixture>
{
    public const string Name = "vm";
}
