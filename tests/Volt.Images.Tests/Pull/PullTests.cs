using Shouldly;
using Volt.Core.Errors;
using Volt.Images.Distribution;
using Volt.Images.Oci;
using Volt.Images.Sources;
using Volt.Images.Tests.Fixtures;
using Volt.Storage.Cas;
using Xunit;

namespace Volt.Images.Tests.Pull;

/// <summary>Pulls through a real CNCF distribution registry on loopback (images pushed there with skopeo).</summary>
public sealed class PullTests : ImageTestBase, IAsyncLifetime
{
    private DistributionRegistry _registry = null!;

    public async ValueTask InitializeAsync() => _registry = await DistributionRegistry.StartAsync(Temp.Combine("registry"), Ct);

    public ValueTask DisposeAsync()
    {
        _registry?.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<PullResult> Pull(string reference, string platform = "linux/amd64")
    {
        var r = ImageReference.Parse(reference);
        using var source = new RegistrySource(new RegistryClient(r));
        return await new ImagePuller(Cas).PullAsync(source, r, Platform.Parse(platform), null, Ct);
    }

    private async Task<string> Publish(string repo, string tag, params (LayerBuilder, Compression)[] layers)
    {
        var dir = OciLayoutWriter.Single(Temp.Combine($"layout-{repo}-{tag}"), tag, layers);
        await _registry.PushLayoutAsync(dir, tag, repo, Ct);
        return $"{_registry.Host}/{repo}:{tag}";
    }

    [Fact]
    public async Task Pull_GzipBusybox_TreeAndConfig()
    {
        var reference = await Publish("busybox", "1.36", (LayerBuilder.Busybox(), Compression.Gzip));
        var counters = new TransferCounters();
        var r = ImageReference.Parse(reference);
        using var source = new RegistrySource(new RegistryClient(r));
        var pulled = await new ImagePuller(Cas).PullAsync(source, r, Amd64, counters, Ct);
        counters.BytesDone.ShouldBe(counters.BytesTotal);
        counters.BytesTotal.ShouldBeGreaterThan(500_000);
        pulled.Image.RefName.ShouldBe($"images/{_registry.Host}/busybox/1.36");
        pulled.Image.Record.ManifestDigest.ShouldStartWith("sha256:");
        pulled.Image.Record.Cmd.ShouldBe(["/bin/sh"]);
        var tree = Tree(pulled.Image);
        Entry(tree, "bin/busybox").Mode.ShouldBe("0755");
        Entry(tree, "bin/httpd").Target.ShouldBe("busybox");
        ReadFile(tree, "etc/group").ShouldBe("root:x:0:\n");
        new Verifier(Cas, 2).Run(repair: false).Ok.ShouldBeTrue();
    }

    [Fact]
    public async Task Pull_WhiteoutsAndOpaqueDirs_AcrossLayers()
    {
        var lower = new LayerBuilder().Dir("etc").File("etc/keep", "k").File("etc/gone", "g").Dir("opt").Dir("opt/app")
            .File("opt/app/old1", "1").Dir("opt/app/sub").File("opt/app/sub/old2", "2").Dir("var").File("var/x", "x");
        var upper = new LayerBuilder().Whiteout("etc/gone").Dir("opt/app").Opaque("opt/app").File("opt/app/new", "n").Whiteout("var");
        var reference = await Publish("layers", "1", (lower, Compression.Gzip), (upper, Compression.Gzip));
        var tree = Tree((await Pull(reference)).Image);
        var paths = tree.Entries.Select(e => e.Path).ToList();
        paths.ShouldContain("etc/keep");
        paths.ShouldNotContain("etc/gone");
        paths.ShouldContain("opt/app/new");
        paths.ShouldNotContain("opt/app/old1");
        paths.ShouldNotContain("opt/app/sub");
        paths.ShouldNotContain("opt/app/sub/old2");
        paths.ShouldNotContain("var");
        paths.ShouldNotContain("var/x");
        paths.ShouldNotContain(p => p.Contains(".wh."));
    }

    [Fact]
    public async Task Pull_ZstdAndUncompressedLayers()
    {
        var a = new LayerBuilder().Dir("a").File("a/z", "zstd layer");
        var b = new LayerBuilder().Dir("b").File("b/plain", "plain layer");
        var reference = await Publish("mixed", "1", (a, Compression.Zstd), (b, Compression.None));
        var tree = Tree((await Pull(reference)).Image);
        ReadFile(tree, "a/z").ShouldBe("zstd layer");
        ReadFile(tree, "b/plain").ShouldBe("plain layer");
    }

    [Fact]
    public async Task Pull_MultiArchIndex_PicksPlatform()
    {
        var w = new OciLayoutWriter(Temp.Combine("multi"));
        var amd = w.Image([(new LayerBuilder().File("arch", "amd64"), Compression.Gzip)], "amd64");
        var arm = w.Image([(new LayerBuilder().File("arch", "arm64"), Compression.Gzip)], "arm64");
        var (d, s) = w.MultiArch((amd.Digest, amd.Size, "amd64"), (arm.Digest, arm.Size, "arm64"));
        w.Index("1", d, s, "application/vnd.oci.image.index.v1+json");
        await _registry.PushLayoutAsync(w.Dir, "1", "multi", Ct);
        var reference = $"{_registry.Host}/multi:1";

        ReadFile(Tree((await Pull(reference)).Image), "arch").ShouldBe("amd64");
        var armImage = (await Pull(reference, "linux/arm64")).Image;
        ReadFile(Tree(armImage), "arch").ShouldBe("arm64");
        armImage.Record.Platform.ShouldBe("linux/arm64");
        var e = await Should.ThrowAsync<VoltException>(() => Pull(reference, "linux/s390x"));
        e.Code.ShouldBe(ExitCode.NotFound);
        e.Message.ShouldContain("linux/s390x");
    }

    [Fact]
    public async Task Pull_UnknownTag_Exit3()
    {
        var e = await Should.ThrowAsync<VoltException>(() => Pull($"{_registry.Host}/nothing:here"));
        e.Code.ShouldBe(ExitCode.NotFound);
        e.Message.ShouldContain("nothing");
    }

    [Theory]
    [InlineData("../evil", "..")]
    [InlineData("/abs", "absolute")]
    [InlineData("hardlink", "hard link")]
    [InlineData("through-symlink", "symlink")]
    public async Task Pull_HostileLayer_IsRejected_AndNothingIsStored(string kind, string why)
    {
        var layer = new LayerBuilder().Dir("etc").File("etc/ok", "fine");
        switch (kind)
        {
            case "../evil": layer.File("../evil", "x"); break;
            case "/abs": layer.File("/abs", "x"); break;
            case "hardlink": layer.HardLink("etc/link", "../../etc/passwd"); break;
            case "through-symlink": layer.Symlink("esc", "/").File("esc/etc/shadow-owned", "x"); break;
        }
        var reference = await Publish("hostile", kind.Replace("/", "").Replace(".", "") + "x", (layer, Compression.Gzip));
        var objectsBefore = Cas.EnumerateObjects().Count();
        var e = await Should.ThrowAsync<VoltException>(() => Pull(reference));
        e.Code.ShouldBe(ExitCode.Usage);
        e.Message.ShouldContain(why);
        Cas.Refs.List("images").ShouldBeEmpty();
        Cas.EnumerateObjects().Count().ShouldBe(objectsBefore, "no object is published");
        Directory.EnumerateFileSystemEntries(Cas.TmpDir).ShouldBeEmpty("staged files are removed");
        File.Exists(Path.Combine(Path.GetDirectoryName(Cas.Root)!, "evil")).ShouldBeFalse();
        File.Exists("/abs").ShouldBeFalse();
    }
}
