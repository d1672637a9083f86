using Shouldly;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Images.Rootfs;
using Volt.Images.Tests.Fixtures;
using Volt.Storage.Cas;
using Volt.Testing;
using Xunit;

namespace Volt.Images.Tests.Rootfs;

/// <summary>Rootfs assembly: hard-linked lower dirs plus a per-container overlay (root only).</summary>
public sealed class RootfsAssemblerTests : ImageTestBase
{
    private readonly List<string> _containers = [];

    private RootfsAssembler Assembler => new(Paths);

    private string Container(string name)
    {
        var dir = Path.Combine(Paths.Containers, name);
        Directory.CreateDirectory(dir);
        _containers.Add(dir);
        return dir;
    }

    [Fact]
    public async Task Assemble_WritesStayInTheContainer_CasAndOtherContainerUnchanged()
    {
        TestEnv.RequireRoot("overlay mounts");
        await ImportLayers("busybox:1", (LayerBuilder.Busybox(), Compression.Gzip));
        var a = Assembler.Assemble("busybox:1", Container("a"));
        var b = Assembler.Assemble("busybox:1", Container("b"));
        a.LowerCreated.ShouldBeTrue();
        b.LowerCreated.ShouldBeFalse();
        Mounts.IsMountPoint(a.Rootfs).ShouldBeTrue();

        var tree = Tree(a.Image);
        var busyboxObject = Cas.ObjectPath(Digest.Parse(Entry(tree, "bin/busybox").Digest!));
        var lowerBusybox = FileStat.LStat(Path.Combine(a.LowerDir, "bin", "busybox"));
        lowerBusybox.Inode.ShouldBe(FileStat.LStat(busyboxObject).Inode, "the lower dir hard-links the CAS object");
        lowerBusybox.Permissions.ShouldBe(0x1EDu);

        var run = TestEnv.Run("chroot", a.Rootfs, "/bin/sh", "-c", "echo hello from busybox; echo hacked > /etc/passwd; chmod 777 /bin/busybox; echo new > /etc/new");
        run.Code.ShouldBe(0, run.Err);
        run.Out.ShouldContain("hello from busybox");

        await File.WriteAllTextAsync(Path.Combine(a.Rootfs, "bin", "busybox"), "changed\n", Ct); // through the overlay, from the host
        (await File.ReadAllTextAsync(Path.Combine(a.Rootfs, "etc", "passwd"), Ct)).ShouldBe("hacked\n");
        (await File.ReadAllTextAsync(Path.Combine(b.Rootfs, "etc", "passwd"), Ct)).ShouldStartWith("root:x:0:0");
        FileStat.LStat(busyboxObject).Permissions.ShouldBe(0x1EDu, "chmod inside a container copies up; the object keeps its mode");
        (await File.ReadAllBytesAsync(Path.Combine(b.Rootfs, "bin", "busybox"), Ct)).ShouldBe(await File.ReadAllBytesAsync("/bin/busybox", Ct));
        File.Exists(Path.Combine(b.Rootfs, "etc", "new")).ShouldBeFalse();
        File.Exists(Path.Combine(Paths.Containers, "a", "upper", "etc", "new")).ShouldBeTrue();
        new Verifier(Cas, 2).Run(repair: false).Ok.ShouldBeTrue("a write inside a container never changes a CAS object");
        var verify = Volt("cas", "verify");
        verify.Code.ShouldBe(0, verify.Out + verify.Err);

        Assembler.Assemble("busybox:1", Path.Combine(Paths.Containers, "a")).Rootfs.ShouldBe(a.Rootfs, "assemble is idempotent");
        Assembler.Release(Path.Combine(Paths.Containers, "a"));
        Mounts.IsMountPoint(a.Rootfs).ShouldBeFalse();
        Directory.Exists(Path.Combine(Paths.Containers, "a", "upper")).ShouldBeFalse();
        Directory.Exists(a.Rootfs).ShouldBeFalse();
        Assembler.Release(Path.Combine(Paths.Containers, "a")); // idempotent
        TestEnv.Run("chroot", b.Rootfs, "/bin/echo", "still fine").Out.ShouldContain("still fine");
    }

    [Fact]
    public async Task Assemble_CorruptObject_FailsNamingIt_AndLeavesNothing()
    {
        TestEnv.RequireRoot("overlay mounts");
        var r = await ImportLayers("busybox:1", (LayerBuilder.Busybox(), Compression.Gzip));
        var digest = Digest.Parse(Entry(Tree(r.Image), "etc/passwd").Digest!);
        var path = Cas.ObjectPath(digest);
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        bytes[0] ^= 0xff;
        await File.WriteAllBytesAsync(path, bytes, Ct);

        var dir = Container("c");
        var e = Should.Throw<VoltException>(() => Assembler.Assemble("busybox:1", dir));
        e.Message.ShouldContain(digest.ToString());
        e.Message.ShouldContain("corrupt");
        Directory.Exists(Assembler.LowerDir(r.Image.Record.TreeDigest)).ShouldBeFalse();
        Directory.GetDirectories(Path.GetDirectoryName(Assembler.LowerDir(r.Image.Record.TreeDigest))!).ShouldBeEmpty("the temp lower dir is removed");
        Mounts.IsMountPoint(Path.Combine(dir, "rootfs")).ShouldBeFalse();
    }

    [Fact]
    public async Task SameContentDifferentModes_SecondIsCopied_SetuidNeverShared()
    {
        TestEnv.RequireRoot("chown and overlay mounts");
        await ImportLayers("exec:1", (new LayerBuilder().File("tool", "same bytes", 0x1ED), Compression.Gzip));
        await ImportLayers("data:1", (new LayerBuilder().File("tool", "same bytes", 0x1A4).File("suid", "s", 0x9ED /* 04755 */), Compression.Gzip));
        var x = Assembler.Assemble("exec:1", Container("x"));
        var y = Assembler.Assemble("data:1", Container("y"));
        FileStat.LStat(Path.Combine(x.Rootfs, "tool")).Permissions.ShouldBe(0x1EDu);
        FileStat.LStat(Path.Combine(y.Rootfs, "tool")).Permissions.ShouldBe(0x1A4u);
        FileStat.LStat(Path.Combine(y.Rootfs, "suid")).Permissions.ShouldBe(0x9EDu);
        var shared = FileStat.LStat(Path.Combine(x.LowerDir, "tool"));
        FileStat.LStat(Path.Combine(y.LowerDir, "tool")).Inode.ShouldNotBe(shared.Inode, "a different mode gets its own copy");
        var suidObject = Cas.ObjectPath(Digest.Parse(Entry(Tree(y.Image), "suid").Digest!));
        (FileStat.LStat(suidObject).Permissions & 0xC00).ShouldBe(0u, "a CAS object is never made setuid");
    }

    [Fact]
    public void UnknownImage_Exit3()
    {
        Should.Throw<VoltException>(() => Assembler.Assemble("ghost:1", Container("g"))).Code.ShouldBe(ExitCode.NotFound);
    }

    public override void Dispose()
    {
        foreach (var c in _containers)
        {
            try { Assembler.Release(c); }
            catch (VoltException) { Mounts.Unmount(Path.Combine(c, "rootfs")); }
        }
        base.Dispose();
    }
}
