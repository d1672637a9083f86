using System.Text.Json;
using Shouldly;
using Volt.Images.Distribution;
using Volt.Images.Oci;
using Volt.Images.Push;
using Volt.Images.Sources;
using Volt.Images.Store;
using Volt.Images.Tests.Fixtures;
using Volt.Testing;
using Xunit;

namespace Volt.Images.Tests.Pull;

/// <summary>docker-archive import (made by skopeo) and push → pull round trips through a real registry.</summary>
public sealed class PushAndArchiveTests : ImageTestBase, IAsyncLifetime
{
    private DistributionRegistry _registry = null!;

    public async ValueTask InitializeAsync() => _registry = await DistributionRegistry.StartAsync(Temp.Combine("registry"), Ct);

    public ValueTask DisposeAsync()
    {
        _registry?.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Import_DockerArchive_MadeBySkopeo()
    {
        TestEnv.RequireTool("skopeo");
        var layout = OciLayoutWriter.Single(Temp.Combine("layout"), "1.36",
            (LayerBuilder.Busybox(), Compression.Gzip), (new LayerBuilder().Whiteout("etc/group").File("etc/motd", "hi"), Compression.Gzip));
        var archive = Temp.Combine("busybox.tar");
        var r = TestEnv.Run("skopeo", "copy", $"oci:{layout}:1.36", $"docker-archive:{archive}:example.org/tools/busybox:1.36");
        r.Code.ShouldBe(0, r.Err);

        var imported = await new ImageImporter(Cas).ImportAsync(archive, null, Amd64, null, Ct);
        imported.Image.Name.ToString().ShouldBe("example.org/tools/busybox:1.36");
        imported.Image.Record.Cmd.ShouldBe(["/bin/sh"]);
        var tree = Tree(imported.Image);
        Entry(tree, "bin/busybox").Mode.ShouldBe("0755");
        ReadFile(tree, "etc/motd").ShouldBe("hi");
        tree.Entries.ShouldNotContain(e => e.Path == "etc/group");
        Directory.EnumerateFileSystemEntries(Cas.TmpDir).ShouldBeEmpty("the unpacked archive is removed");

        var cli = Volt("image", "import", archive, "--name", "bb:archived", "-o", "json");
        cli.Code.ShouldBe(0, cli.Err);
    }

    [Fact]
    public async Task Push_ThenPull_RoundTrips_AndSkopeoReadsIt()
    {
        var src = await ImportLayers("busybox:1", (LayerBuilder.Busybox(), Compression.Zstd),
            (new LayerBuilder().Dir("srv").File("srv/index.html", "<h1>hi</h1>"u8.ToArray(), 0x180 /* 0600 */, uid: 33, gid: 33), Compression.Gzip));
        var dest = ImageReference.Parse($"{_registry.Host}/pushed/busybox:v1");
        var counters = new TransferCounters();
        using (var client = new RegistryClient(dest))
        {
            var pushed = await new ImagePusher(Cas).PushAsync(src.Image, client, counters, Ct);
            pushed.ManifestDigest.ShouldBe(src.Image.Record.ManifestDigest, "an imported OCI layout is pushed as it came");
            pushed.Original.ShouldBeTrue();
            counters.BytesDone.ShouldBe(counters.BytesTotal);
        }

        var inspect = TestEnv.Run("skopeo", "inspect", "--tls-verify=false", $"docker://{dest}");
        inspect.Code.ShouldBe(0, inspect.Err);
        using (var doc = JsonDocument.Parse(inspect.Out)) doc.RootElement.GetProperty("Layers").GetArrayLength().ShouldBe(2);

        new ImageStore(Cas).Remove("busybox:1");
        using var source = new RegistrySource(new RegistryClient(dest));
        var pulled = await new ImagePuller(Cas).PullAsync(source, dest, Amd64, null, Ct);
        pulled.NewObjects.ShouldBeLessThanOrEqualTo(3, "files are already in the CAS: only tree/config/record can be new");
        var before = Tree(src.Image);
        var after = Tree(pulled.Image);
        after.Entries.Where(e => e.Path != ".").Select(e => (e.Path, e.Type, e.Mode, e.Uid, e.Digest, e.Target))
            .ShouldBe(before.Entries.Where(e => e.Path != ".").Select(e => (e.Path, e.Type, e.Mode, e.Uid, e.Digest, e.Target)));
        pulled.Image.Record.Cmd.ShouldBe(src.Image.Record.Cmd);
        pulled.Image.Record.Env.ShouldBe(src.Image.Record.Env);
    }

    [Fact]
    public void Cli_TagPushPull_WithAudit()
    {
        var rootfs = Temp.Combine("rootfs");
        Directory.CreateDirectory(Path.Combine(rootfs, "bin"));
        File.Copy("/bin/busybox", Path.Combine(rootfs, "bin", "busybox"));
        Volt("image", "build-from-dir", rootfs, "--name", "web:1", "--cmd", "/bin/busybox httpd -f").Code.ShouldBe(0);
        var dest = $"{_registry.Host}/web:1";
        var push = Volt("image", "push", dest, "--image", "web:1", "-o", "json");
        push.Code.ShouldBe(0, push.Err);
        Volt("image", "rm", "web:1").Code.ShouldBe(0);
        var pull = Volt("image", "pull", dest, "-o", "json");
        pull.Code.ShouldBe(0, pull.Err);
        var inspect = Volt("image", "inspect", dest, "-o", "json");
        using (var doc = JsonDocument.Parse(inspect.Out))
            doc.RootElement.GetProperty("cmd").EnumerateArray().Select(e => e.GetString()).ShouldBe(["/bin/busybox", "httpd", "-f"]);
        var missing = Volt("image", "pull", $"{_registry.Host}/absent:1");
        missing.Code.ShouldBe(3, missing.Err);
        missing.Err.ShouldContain("absent");
        var audit = File.ReadAllText(Paths.AuditLog);
        audit.ShouldContain("image.push");
        audit.ShouldContain("image.pull");
    }
}
