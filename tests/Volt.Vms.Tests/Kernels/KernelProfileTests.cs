using Shouldly;
using Volt.Core.Errors;
using Volt.Vms.Kernels;
using Volt.Vms.Machines;
using Volt.Vms.Tests.Support;
using Xunit;

namespace Volt.Vms.Tests.Kernels;

/// <summary>The <c>minimal</c> profile as <c>volt kernel add</c> makes it from Debian's real cloud kernel package.</summary>
[Collection(VmCollection.Name)]
public sealed class KernelProfileTests(VmFixture fx)
{
    [Fact]
    public void AddFromDebian_KeepsAPvhVmlinux_TheProfilesCmdline_AndTheVirtioModulesDependenciesFirst()
    {
        fx.Require();
        var p = fx.Kernels.Store.Get("minimal");
        p.Source!.ShouldStartWith("deb:linux-image-");
        p.Version!.ShouldEndWith("-cloud-amd64");
        p.Pvh.ShouldBeTrue();
        p.Kernel.ShouldBe("vmlinux");
        Elf.HasPvhEntry(fx.Kernels.Store.KernelPath(p)).ShouldBeTrue();
        p.Cmdline.ShouldBe(KernelProfiles.Find("minimal")!.Cmdline);
        File.ReadAllText(Path.Combine(fx.Kernels.Store.Dir("minimal"), "cmdline")).Trim().ShouldBe(p.Cmdline);
        p.Modules.ShouldContain("virtio_blk");
        p.Modules.ShouldContain("virtio_net");
        Idx(p.Modules, "virtio_ring").ShouldBeLessThan(Idx(p.Modules, "virtio_blk"));
        Idx(p.Modules, "virtio_pci_modern_dev").ShouldBeLessThan(Idx(p.Modules, "virtio_pci"));
        Idx(p.Modules, "net_failover").ShouldBeLessThan(Idx(p.Modules, "virtio_net"));
    }

    [Fact]
    public void TheInitramfs_IsANewcCpioWithBusyboxInitAgentAndModules()
    {
        fx.Require();
        var p = fx.Kernels.Store.Get("minimal");
        var (code, list, err) = Testing.TestEnv.Run("sh", "-c", $"gzip -dc '{fx.Kernels.Store.InitramfsPath(p)}' | cpio -t --quiet");
        code.ShouldBe(0, err);
        var files = list.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        files.ShouldContain("init");
        files.ShouldContain("bin/busybox");
        files.ShouldContain("etc/agent");
        files.ShouldContain("lib/modules/virtio_blk.ko");
        Elf.IsStatic(InitramfsBuilder.StaticBusybox()).ShouldBeTrue();
    }

    [Fact]
    public async Task ASecondAdd_IsRefusedWithExit4_AndForceReusesTheCachedPackage()
    {
        fx.Require();
        var e = await Should.ThrowAsync<VoltException>(() => fx.Kernels.AddAsync(new KernelAddRequest("minimal")));
        e.Code.ShouldBe(ExitCode.AlreadyExists);
        var debs = Directory.GetFiles(VmFixture.KernelCache, "*.deb").Select(f => (f, File.GetLastWriteTimeUtc(f))).ToList();
        var messages = new List<string>();
        await fx.Kernels.AddAsync(new KernelAddRequest("minimal", Force: true), new SyncProgress(messages));
        messages.ShouldNotContain(m => m.StartsWith("downloading", StringComparison.Ordinal));
        Directory.GetFiles(VmFixture.KernelCache, "*.deb").Select(f => (f, File.GetLastWriteTimeUtc(f))).ShouldBe(debs);
    }

    [Fact]
    public void AnUnknownProfile_IsExit3_ListingTheInstalledProfiles()
    {
        fx.Require();
        var e = Should.Throw<VoltException>(() => fx.Kernels.Store.Get("nosuch"));
        e.Code.ShouldBe(ExitCode.NotFound);
        e.Message.ShouldContain("installed profiles: ");
        e.Message.ShouldContain("minimal");
    }

    /// <summary>
    /// A profile installed by an older Volt keeps the initramfs it was built with (CI: the init whose agent lost the race
    /// with switch_root). Its recorded init hash differs, so <c>vm start</c> rebuilds the initramfs — this Volt's init
    /// and agent, the same busybox and modules — and <c>kernel add</c> without --force says so.
    /// </summary>
    [Fact]
    public async Task AProfileFromAnOlderVolt_GetsThisVoltsInitAtVmStart_KeepingItsModules_AndAddWithoutForceSaysSo()
    {
        fx.Require();
        var store = fx.Kernels.Store;
        var src = store.Get("minimal");
        Directory.CreateDirectory(store.Dir("older"));
        // An initramfs as an older Volt built it: another /init, another agent; and a kernel QEMU cannot load, so the
        // start fails right after the rebuild instead of booting (the rebuild happens before QEMU runs).
        var tree = Path.Combine(fx.Paths.Root, "older-tree");
        Directory.CreateDirectory(tree);
        Run($"cd '{tree}' && gzip -dc '{store.InitramfsPath(src)}' | cpio -id --quiet && printf '#!/bin/busybox sh\necho old-init\n' > init && echo old-agent > etc/agent"
            + $" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1 > '{Path.Combine(store.Dir("older"), "initramfs.img")}'");
        await File.WriteAllBytesAsync(Path.Combine(store.Dir("older"), "vmlinuz"), new byte[4096]);
        store.Save(src with { Name = "older", Kernel = "vmlinuz", Pvh = false, InitScripts = null });
        InitramfsRefresher.IsStale(store.Get("older")).ShouldBeTrue();
        Cpio(store.Get("older"), "init").ShouldContain("old-init");

        var e = await Should.ThrowAsync<VoltException>(() => fx.Kernels.AddAsync(new KernelAddRequest("older", KernelFile: store.KernelPath(store.Get("older")))));
        e.Code.ShouldBe(ExitCode.AlreadyExists);
        e.Message.ShouldContain("older Volt");
        e.Message.ShouldContain("--force");

        await fx.Engine.CreateAsync(new VmCreateRequest { Name = "oldprofile", Image = VmFixture.Image, Kernel = "older", Memory = "128M", Accel = "tcg" });
        await Should.ThrowAsync<VoltException>(() => fx.Runtime.StartAsync("oldprofile"));
        var p = store.Get("older");
        p.InitScripts.ShouldBe(InitScripts.Hash);
        InitramfsRefresher.IsStale(p).ShouldBeFalse();
        Cpio(p, "init").ShouldBe(InitScripts.Init.ReplaceLineEndings("\n") + "\n");
        Cpio(p, "etc/agent").ShouldBe(InitScripts.Agent.ReplaceLineEndings("\n") + "\n");
        Cpio(p, "etc/modules").ShouldBe(Cpio(src, "etc/modules"));
        var files = Run($"gzip -dc '{store.InitramfsPath(p)}' | cpio -t --quiet").Split('\n');
        files.ShouldContain("lib/modules/virtio_blk.ko");
        files.ShouldContain("bin/busybox");

        // Current now: a second start leaves the file alone.
        var written = File.GetLastWriteTimeUtc(store.InitramfsPath(p));
        (await fx.Engine.Initramfs.EnsureCurrentAsync(p)).Rebuilt.ShouldBeFalse();
        File.GetLastWriteTimeUtc(store.InitramfsPath(p)).ShouldBe(written);
        fx.Engine.Delete("oldprofile");
    }

    [Fact]
    public async Task AUsersOwnInitramfs_IsNeverRebuilt()
    {
        fx.Require();
        var store = fx.Kernels.Store;
        var mine = Path.Combine(fx.Paths.Root, "my-initramfs.img");
        Run($"d=$(mktemp -d) && cd $d && printf '#!/bin/sh\necho mine\n' > init && echo init | cpio -o -H newc --quiet | gzip > '{mine}'; rm -rf $d");
        var p = await fx.Kernels.AddAsync(new KernelAddRequest("mine", KernelFile: store.KernelPath(store.Get("minimal")), InitramfsFile: mine));
        p.UserInitramfs.ShouldBeTrue();
        InitramfsRefresher.IsStale(p).ShouldBeFalse();
        // A profile of an older Volt with an initramfs that is not Volt's (no agent): marked the user's, left as it is.
        store.Save(p with { UserInitramfs = false, InitScripts = null });
        var bytes = await File.ReadAllBytesAsync(store.InitramfsPath(p));
        var (after, rebuilt) = await fx.Engine.Initramfs.EnsureCurrentAsync(store.Get("mine"));
        rebuilt.ShouldBeFalse();
        after.UserInitramfs.ShouldBeTrue();
        (await File.ReadAllBytesAsync(store.InitramfsPath(p))).ShouldBe(bytes);
        store.Remove("mine");
    }

    private string Cpio(KernelProfile p, string file) => Run($"gzip -dc '{fx.Kernels.Store.InitramfsPath(p)}' | cpio -i --to-stdout --quiet '{file}'");

    private static string Run(string script)
    {
        var (code, output, err) = Testing.TestEnv.Run("sh", "-c", script);
        code.ShouldBe(0, err);
        return output;
    }

    private static int Idx(IReadOnlyList<string> list, string item)
    {
        for (var i = 0; i < list.Count; i++) if (list[i] == item) return i;
        return -1;
    }

    private sealed class SyncProgress(List<string> into) : IProgress<string>
    {
        public void Report(string value) { lock (into) into.Add(value); }
    }
}
