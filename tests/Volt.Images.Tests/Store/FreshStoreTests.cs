using Shouldly;
using Volt.Images.Tests.Fixtures;
using Volt.Storage.Cas;
using Volt.Testing;
using Xunit;

namespace Volt.Images.Tests.Store;

/// <summary>
/// Every import path into an empty store leaves a store that verifies clean and an image that runs: zero-length files,
/// hard links to them, empty directories, symlinks and whiteouts all end as objects the store holds.
/// </summary>
public sealed class FreshStoreTests : ImageTestBase
{
    private static readonly Digest Empty = ContentHasher.Hash(HashAlgo.Blake3, []);

    private void ShouldVerifyClean(string what)
    {
        var v = new Verifier(Cas, 2).Run(repair: false);
        v.Missing.Select(m => m.Digest.ToString()).ShouldBeEmpty($"{what}: objects a ref names but the store lacks");
        v.Ok.ShouldBeTrue(what);
    }

    [Fact]
    public async Task Import_ZeroLengthFiles_IntoAnEmptyStore_StoresTheEmptyObject()
    {
        Cas.Exists(Empty).ShouldBeFalse("the store starts empty");
        var r = await ImportLayers("base:1", (LayerBuilder.RunnableBusybox(), Compression.Gzip),
            (new LayerBuilder().Whiteout("usr/bin/.keep").File("etc/second-empty", ""), Compression.Zstd));
        var tree = Tree(r.Image);
        Entry(tree, "etc/.pwd.lock").Digest.ShouldBe(Empty.ToString());
        Entry(tree, "etc/.pwd.lock").Size.ShouldBe(0);
        Entry(tree, "etc/.pwd.lock.link").Digest.ShouldBe(Empty.ToString());
        Entry(tree, "var/empty").Type.ShouldBe("dir");
        tree.Entries.ShouldNotContain(e => e.Path == "usr/bin/.keep");
        Cas.Exists(Empty).ShouldBeTrue();
        ShouldVerifyClean("import of an OCI layout");
        Volt("cas", "verify").Code.ShouldBe(0);
    }

    [Fact]
    public void BuildFromDir_ZeroLengthFiles_HardLinks_EmptyDirs_Symlinks_IntoAnEmptyStore_VerifyClean()
    {
        var dir = Temp.Combine("rootfs");
        Directory.CreateDirectory(Path.Combine(dir, "etc"));
        Directory.CreateDirectory(Path.Combine(dir, "var", "empty"));
        File.WriteAllBytes(Path.Combine(dir, "etc", ".pwd.lock"), []);
        File.CreateSymbolicLink(Path.Combine(dir, "etc", "mtab"), "../proc/self/mounts");
        TestEnv.Run("ln", Path.Combine(dir, "etc", ".pwd.lock"), Path.Combine(dir, "etc", "hardlink")).Code.ShouldBe(0);
        var built = new DirImageBuilder(Cas, 2).Build(dir, Oci.ImageReference.Parse("dir:1"), new DirImageOptions(), null, Ct);
        var tree = Tree(built.Image);
        Entry(tree, "etc/hardlink").Digest.ShouldBe(Empty.ToString());
        Entry(tree, "etc/mtab").Target.ShouldBe("../proc/self/mounts");
        Entry(tree, "var/empty").Type.ShouldBe("dir");
        ShouldVerifyClean("build-from-dir");
    }

    [Fact]
    public void DockerArchive_WithZeroLengthFiles_ImportedIntoAFreshRoot_VerifiesClean_AndRuns()
    {
        TestEnv.RequireTool("skopeo");
        var layout = OciLayoutWriter.Runnable(Temp.Combine("layout"), "1");
        var archive = Temp.Combine("base.tar");
        var save = TestEnv.Run("skopeo", "copy", $"oci:{layout}:1", $"docker-archive:{archive}:example.org/base:1");
        save.Code.ShouldBe(0, save.Err);
        var import = Volt("image", "import", archive);
        import.Code.ShouldBe(0, import.Err);
        var verify = Volt("cas", "verify");
        verify.Code.ShouldBe(0, verify.Out + verify.Err);

        ContainerRuns.Require();
        using var runs = new ContainerRuns(Root);
        var run = runs.Volt("run", "--rm", "example.org/base:1", "true");
        run.Code.ShouldBe(0, run.Err);
    }
}
