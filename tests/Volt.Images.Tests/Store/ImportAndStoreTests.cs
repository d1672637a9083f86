using Shouldly;
using Volt.Core.Errors;
using Volt.Images.Store;
using Volt.Images.Tests.Fixtures;
using Volt.Storage.Cas;
using Xunit;

namespace Volt.Images.Tests.Store;

/// <summary>OCI-layout import, build-from-dir, and the image store's list/tag/rm/lookup.</summary>
public sealed class ImportAndStoreTests : ImageTestBase
{
    [Fact]
    public async Task Import_OciLayout_StoresTreeConfigAndRecord()
    {
        var r = await ImportLayers("busybox:1", (LayerBuilder.Busybox(), Compression.Gzip));
        r.Image.RefName.ShouldBe("images/busybox/1");
        r.Image.Ref.Kind.ShouldBe(RefKind.Image);
        var rec = r.Image.Record;
        rec.Schema.ShouldBe("volt.image/v1");
        rec.Cmd.ShouldBe(["/bin/sh"]);
        rec.Env.ShouldBe(["PATH=/bin", "GREETING=hi"]);
        rec.Workdir.ShouldBe("/srv");
        rec.User.ShouldBe("1000:1000");
        rec.ExposedPorts.ShouldBe(["80/tcp"]);
        rec.Platform.ShouldBe("linux/amd64");
        rec.ManifestDigest.ShouldStartWith("sha256:");
        Cas.Exists(rec.ConfigDigest).ShouldBeTrue();

        var tree = Tree(r.Image);
        var busybox = Entry(tree, "bin/busybox");
        busybox.Mode.ShouldBe("0755");
        busybox.Size.ShouldBe(new FileInfo("/bin/busybox").Length);
        Cas.ReadAllBytes(Digest.Parse(busybox.Digest!), 64 << 20).ShouldBe(await File.ReadAllBytesAsync("/bin/busybox", Ct));
        Entry(tree, "bin/sh").Type.ShouldBe("symlink");
        Entry(tree, "bin/sh").Target.ShouldBe("busybox");
        Entry(tree, "tmp").Mode.ShouldBe("1777");
        ReadFile(tree, "etc/passwd").ShouldStartWith("root:x:0:0");
        Entry(tree, "etc/passwd").MTime.ShouldBe(LayerBuilder.MTime);
    }

    [Fact]
    public async Task Import_SameContentTwice_WritesNoNewObjects()
    {
        await ImportLayers("a:1", (LayerBuilder.Busybox(), Compression.Gzip));
        var second = await ImportLayers("b:1", (LayerBuilder.Busybox(), Compression.None));
        (second.NewBytes - second.KeptBlobBytes).ShouldBe(0, "every file object is reused");
        second.NewObjects.ShouldBe(1, "only the new (uncompressed) layer blob is kept");
        Directory.EnumerateFileSystemEntries(Cas.TmpDir).ShouldBeEmpty();
    }

    [Fact]
    public async Task Store_ListTagRemove_AndGcKeepsTaggedImage()
    {
        await ImportLayers("web:1", (LayerBuilder.Busybox(), Compression.Gzip));
        var images = new ImageStore(Cas);
        images.Tag("web:1", "127.0.0.1:5000/web:stable").RefName.ShouldBe("images/127.0.0.1:5000/web/stable");
        images.List().Select(i => i.Name.ToString()).ShouldBe(["127.0.0.1:5000/web:stable", "web:1"]);
        images.Get("web:1").Record.Id.ShouldBe(images.Get("127.0.0.1:5000/web:stable").Record.Id);
        images.Remove("web:1");
        Should.Throw<VoltException>(() => images.Get("web:1")).Code.ShouldBe(ExitCode.NotFound);

        var gc = new GarbageCollector(Cas).Run(dryRun: false, grace: TimeSpan.Zero, Ct);
        gc.Swept.ShouldBeGreaterThan(0, "web:1's own record goes");
        var kept = images.Get("127.0.0.1:5000/web:stable");
        var tree = Tree(kept);
        Cas.Exists(Digest.Parse(Entry(tree, "bin/busybox").Digest!)).ShouldBeTrue();
        Cas.Exists(kept.Record.ConfigDigest).ShouldBeTrue();
        new Verifier(Cas, 2).Run(repair: false).Ok.ShouldBeTrue();
    }

    [Fact]
    public void UnknownImage_IsNotFound_NamingIt()
    {
        var e = Should.Throw<VoltException>(() => new ImageStore(Cas).Get("ghost:9"));
        e.Code.ShouldBe(ExitCode.NotFound);
        e.Message.ShouldContain("ghost:9");
    }

    [Fact]
    public void BuildFromDir_StoresFilesAndWritesAConfig()
    {
        var rootfs = Temp.Combine("rootfs");
        Directory.CreateDirectory(Path.Combine(rootfs, "bin"));
        File.Copy("/bin/busybox", Path.Combine(rootfs, "bin", "busybox"));
        File.CreateSymbolicLink(Path.Combine(rootfs, "bin", "sh"), "busybox");
        Temp.Write("rootfs/etc/passwd", "root:x:0:0::/:/bin/sh\n");
        var r = new DirImageBuilder(Cas, 2).Build(rootfs, global::Volt.Images.Oci.ImageReference.Parse("local/bb:dev"),
            new DirImageOptions { Cmd = ["/bin/sh", "-c", "echo hi"], ExposedPorts = ["8080"] }, ct: Ct);
        r.Image.RefName.ShouldBe("images/local/bb/dev");
        r.Image.Record.Cmd.ShouldBe(["/bin/sh", "-c", "echo hi"]);
        r.Image.Record.ExposedPorts.ShouldBe(["8080/tcp"]);
        var tree = Tree(r.Image);
        Entry(tree, "bin/sh").Target.ShouldBe("busybox");
        ReadFile(tree, "etc/passwd").ShouldContain("root");
        Cas.Refs.List("tmp").ShouldBeEmpty("the temporary build ref is dropped");
    }
}
