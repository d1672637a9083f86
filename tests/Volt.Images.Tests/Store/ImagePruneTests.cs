using Shouldly;
using Volt.Core.Errors;
using Volt.Images.Rootfs;
using Volt.Images.Store;
using Volt.Images.Tests.Fixtures;
using Volt.Storage.Cas;
using Volt.Testing;
using Xunit;

namespace Volt.Images.Tests.Store;

/// <summary>The image prune engine (<see cref="ImagePruner"/>) behind <c>volt image prune</c>, <c>volt system prune</c> and <c>volt system df</c>.</summary>
public sealed class ImagePruneTests : ImageTestBase
{
    private ImagePruner Pruner => new(Paths);
    private ImageStore Images => new(Cas);

    private Task<PullResult> ImportWith(string name, string uniqueFile) =>
        ImportLayers(name, (LayerBuilder.Busybox(), Compression.Gzip), (new LayerBuilder().File("srv/unique", uniqueFile), Compression.Gzip));

    private Digest FileObject(PullResult r, string path) => Digest.Parse(Entry(Tree(r.Image), path).Digest!);

    private void ShouldVerifyClean() => new Verifier(Cas, 2).Run(repair: false).Ok.ShouldBeTrue();

    [Fact]
    public async Task Prune_ByDefault_RemovesOnlyDanglingImages_AndTheObjectsOnlyTheyHeld()
    {
        var tagged = await ImportWith("web:1", "tagged\n");
        var dangling = await ImportWith("web@sha256:" + new string('a', 64), "only the dangling image has this\n");
        var unique = FileObject(dangling, "srv/unique");
        var shared = FileObject(dangling, "bin/busybox");

        var r = Pruner.Prune(new ImagePruneOptions());

        r.Images.Select(i => i.Name).ShouldBe(["web@sha256:" + new string('a', 64)]);
        r.BytesFreed.ShouldBeGreaterThan(0);
        r.ObjectsRemoved.ShouldBeGreaterThanOrEqualTo(3, "the record, its tree, its unique file (its config too unless shared)");
        Cas.Exists(unique).ShouldBeFalse();
        Cas.Exists(shared).ShouldBeTrue("web:1 still holds busybox");
        Images.Get("web:1").Record.Tree.ShouldBe(tagged.Image.Record.Tree);
        Images.List().Count.ShouldBe(1);
        ShouldVerifyClean();
        Pruner.Prune(new ImagePruneOptions()).Images.ShouldBeEmpty("nothing dangling is left");
    }

    [Fact]
    public async Task PruneAll_RemovesEveryImageNoContainerUses()
    {
        var used = await ImportWith("app:1", "used\n");
        var unused = await ImportWith("old:1", "unused\n");
        await ImportWith("dangling@sha256:" + new string('b', 64), "dangling\n");
        var (unusedFile, usedFile, busybox) = (FileObject(unused, "srv/unique"), FileObject(used, "srv/unique"), FileObject(used, "bin/busybox"));

        var r = Pruner.Prune(new ImagePruneOptions { All = true, InUse = ["app:1", "/some/rootfs/dir"] });

        r.Images.Select(i => i.Name).Order().ShouldBe(["dangling@sha256:" + new string('b', 64), "old:1"]);
        r.Images.Single(i => i.Name == "old:1").Id.ShouldBe(unused.Image.Record.Id);
        Cas.Exists(unusedFile).ShouldBeFalse();
        Cas.Exists(usedFile).ShouldBeTrue();
        Cas.Exists(busybox).ShouldBeTrue();
        Should.Throw<VoltException>(() => Images.Get("old:1")).Code.ShouldBe(ExitCode.NotFound);
        ShouldVerifyClean();
    }

    [Fact]
    public async Task DryRun_ChangesNothing_AndReportsWhatTheRealRunFrees()
    {
        await ImportWith("a:1", "a\n");
        await ImportWith("b:1", "b\n");
        var objectsBefore = Cas.EnumerateObjects().Count();

        var dry = Pruner.Prune(new ImagePruneOptions { All = true, InUse = ["a:1"], DryRun = true });
        dry.DryRun.ShouldBeTrue();
        dry.Images.Select(i => i.Name).ShouldBe(["b:1"]);
        Cas.EnumerateObjects().Count().ShouldBe(objectsBefore);
        Images.List().Count.ShouldBe(2);

        var real = Pruner.Prune(new ImagePruneOptions { All = true, InUse = ["a:1"] });
        real.BytesFreed.ShouldBe(dry.BytesFreed);
        real.ObjectsRemoved.ShouldBe(dry.ObjectsRemoved);
        Cas.EnumerateObjects().Count().ShouldBe(objectsBefore - (int)real.ObjectsRemoved);
    }

    [Fact]
    public async Task DiskUsage_CountsImagesActiveSizeAndReclaimable()
    {
        await ImportWith("a:1", "a\n");
        await ImportWith("b:1", "b\n");
        await ImportWith("c@sha256:" + new string('c', 64), "c\n");
        Images.Tag("a:1", "a:latest");

        var du = Pruner.DiskUsage(["a:1"]);
        du.Images.ShouldBe(4);
        du.Active.ShouldBe(1);
        du.Size.ShouldBe(Cas.EnumerateObjects().Sum(o => new FileInfo(o.Path).Length), "every object here belongs to an image");
        du.ReclaimableDangling.ShouldBeGreaterThan(0);
        du.Reclaimable.ShouldBeGreaterThan(du.ReclaimableDangling);
        du.Reclaimable.ShouldBeLessThan(du.Size, "a:1's objects are not reclaimable");

        var pruned = Pruner.Prune(new ImagePruneOptions { All = true, InUse = ["a:1"] });
        pruned.BytesFreed.ShouldBe(du.Reclaimable);
        pruned.Images.Select(i => i.Name).Order().ShouldBe(["a:latest", "b:1", "c@sha256:" + new string('c', 64)]);
        Pruner.DiskUsage(["a:1"]).Reclaimable.ShouldBe(0);
    }

    [Fact]
    public async Task Prune_RemovesLowerDirsNoImageNames_KeepsMountedOnes()
    {
        TestEnv.RequireRoot("overlay mounts");
        await ImportWith("a:1", "a\n");
        await ImportWith("b:1", "b\n");
        var assembler = new RootfsAssembler(Paths);
        var running = Path.Combine(Paths.Containers, "running");
        var stopped = Path.Combine(Paths.Containers, "stopped");
        Directory.CreateDirectory(running);
        Directory.CreateDirectory(stopped);
        try
        {
            var a = assembler.Assemble("a:1", running);
            var b = assembler.Assemble("b:1", stopped);
            assembler.Release(stopped);

            var r = Pruner.Prune(new ImagePruneOptions { All = true, InUse = [] });

            r.Images.Count.ShouldBe(2, "no container record names them");
            r.LowerDirs.ShouldBe([Path.GetDirectoryName(b.LowerDir)!]);
            Directory.Exists(b.LowerDir).ShouldBeFalse();
            Directory.Exists(a.LowerDir).ShouldBeTrue("the running container's overlay still uses it");
            File.ReadAllText(Path.Combine(a.Rootfs, "srv", "unique")).ShouldBe("a\n", "the container keeps its files");
        }
        finally
        {
            assembler.Release(running);
        }
    }
}
