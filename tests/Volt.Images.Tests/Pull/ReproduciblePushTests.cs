using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Shouldly;
using Volt.Images.Distribution;
using Volt.Images.Oci;
using Volt.Images.Push;
using Volt.Images.Sources;
using Volt.Images.Tests.Fixtures;
using Volt.Storage.Cas;
using Volt.Testing;
using Xunit;

namespace Volt.Images.Tests.Pull;

/// <summary>
/// Pushes are reproducible: a layer Volt writes depends on the tree alone, a second push of an unchanged image
/// uploads no blob (counted in the registries' request logs), and a pulled image pushed back keeps its digest.
/// </summary>
public sealed class ReproduciblePushTests : ImageTestBase
{
    private static readonly string LongDir = string.Join('/', Enumerable.Range(0, 12).Select(i => $"directory-{i:00}"));

    private string RootfsDir()
    {
        var dir = Temp.Combine("rootfs");
        Directory.CreateDirectory(Path.Combine(dir, "bin"));
        Directory.CreateDirectory(Path.Combine(dir, "etc"));
        File.Copy("/bin/busybox", Path.Combine(dir, "bin", "busybox"));
        File.CreateSymbolicLink(Path.Combine(dir, "bin", "sh"), "busybox");
        File.WriteAllText(Path.Combine(dir, "etc", "hostname"), "volt\n");
        File.WriteAllBytes(Path.Combine(dir, "etc", ".pwd.lock"), []);
        var deep = Path.Combine(dir, LongDir); // 143 bytes: a GNU long name
        Directory.CreateDirectory(Path.Combine(deep, LongDir)); // 287 bytes
        File.WriteAllText(Path.Combine(deep, "file.txt"), "deep\n");
        File.WriteAllText(Path.Combine(deep, LongDir, "deeper.txt"), "deeper\n");
        File.CreateSymbolicLink(Path.Combine(dir, "etc", "long-link"), "/" + LongDir + "/file.txt");
        return dir;
    }

    private global::Volt.Images.Store.StoredImage Built() =>
        new DirImageBuilder(Cas, 2).Build(RootfsDir(), ImageReference.Parse("web:1"), new DirImageOptions { Cmd = ["/bin/sh"] }, null, Ct).Image;

    [Fact]
    public void LayerWriter_SameTree_SameBytes_NoPaxRecords_HeaderTimesFromTheRecord()
    {
        var tree = Tree(Built());
        var a = LayerWriter.Write(Cas, tree, Temp.Combine("a.tar.gz"), Ct);
        var b = LayerWriter.Write(Cas, tree, Temp.Combine("b.tar.gz"), Ct);
        b.Digest.ShouldBe(a.Digest);
        b.DiffId.ShouldBe(a.DiffId);
        File.ReadAllBytes(b.Path).ShouldBe(File.ReadAllBytes(a.Path));

        using var gz = new GZipStream(File.OpenRead(a.Path), CompressionMode.Decompress);
        using var tar = new MemoryStream();
        gz.CopyTo(tar);
        var headers = TarHeaders(tar.ToArray());
        headers.Select(h => h.Type).ShouldNotContain('x', "no PAX extended headers (atime/ctime records)");
        headers.Select(h => h.Type).ShouldNotContain('g');
        headers.Select(h => h.Type).ShouldContain('L', "the 287-byte path needs a GNU long name");
        headers.Select(h => h.Type).ShouldContain('K', "the long symlink target needs a GNU long link");
        var mtimes = tree.Entries.Select(e => e.MTime.ToUnixTimeSeconds()).Append(0).ToHashSet();
        foreach (var h in headers)
        {
            mtimes.ShouldContain(h.MTime, $"header '{h.Type}' {h.Name}: mtime from the record");
            if (h.Magic == "ustar  ") { mtimes.ShouldContain(h.ATime, h.Name); mtimes.ShouldContain(h.CTime, h.Name); }
            h.UName.ShouldBe(h.Type is 'L' or 'K' ? h.UName : "", $"header '{h.Type}' {h.Name}");
        }

        // The layer reads back as the same tree.
        var layout = new OciLayoutWriter(Temp.Combine("back"));
        var blob = File.ReadAllBytes(a.Path);
        var layerDigest = layout.Blob(blob);
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{a.DiffId}\"]}}}}");
        var manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"," +
            $"\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{layout.Blob(config)}\",\"size\":{config.Length}}}," +
            $"\"layers\":[{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"{layerDigest}\",\"size\":{blob.Length}}}]}}");
        layout.Index("1", layout.Blob(manifest), manifest.Length);
        var back = Tree(new ImageImporter(Cas).ImportAsync(layout.Dir, "back:1", Amd64, null, Ct).GetAwaiter().GetResult().Image);
        back.Entries.Where(e => e.Path != ".").Select(e => (e.Path, e.Type, e.Digest, e.Target, e.Mode))
            .ShouldBe(tree.Entries.Where(e => e.Path != ".").Select(e => (e.Path, e.Type, e.Digest, e.Target, e.Mode)));
    }

    [Fact]
    public async Task SecondPush_ToVoltRegistry_UploadsNoBlob_AndKeepsTheManifestDigest()
    {
        Built();
        await using var registry = await VoltRegistry.StartAsync(Temp.Combine("registry-root"), Ct);
        var dest = $"{registry.Host}/web:1";
        var creds = registry.PushCreds;

        JsonElement Push()
        {
            var r = Volt("image", "push", dest, "--image", "web:1", "--creds", creds, "-o", "json");
            r.Code.ShouldBe(0, r.Err);
            return JsonDocument.Parse(r.Out).RootElement.Clone();
        }

        var first = Push();
        await registry.StopAsync();
        var afterFirst = registry.LogLines().Length;
        VoltRegistry.BlobUploads(registry.LogLines(), acceptedOnly: true).ShouldBe(4, "first push: POST + PUT for the layer and for the config\n" + string.Join('\n', registry.LogLines()));
        await registry.StartAsync(Ct);

        var second = Push();
        await registry.StopAsync();
        var secondLines = registry.LogLines().Skip(afterFirst).ToList();
        secondLines.ShouldNotBeEmpty();
        VoltRegistry.BlobUploads(secondLines).ShouldBe(0, string.Join('\n', secondLines));
        secondLines.ShouldContain(l => l.Contains(" PUT /v2/web/manifests/1 201", StringComparison.Ordinal));
        second.GetProperty("manifest").GetString().ShouldBe(first.GetProperty("manifest").GetString());
        second.GetProperty("layer").GetString().ShouldBe(first.GetProperty("layer").GetString());
        second.GetProperty("blobs_uploaded").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task SecondPush_ToDistribution_UploadsNoBlob_CountedInItsAccessLog()
    {
        var image = Built();
        using var registry = await DistributionRegistry.StartAsync(Temp.Combine("registry"), Ct, accessLog: true);
        var dest = ImageReference.Parse($"{registry.Host}/web:1");
        PushResult first, second;
        using (var client = new RegistryClient(dest)) first = await new ImagePusher(Cas).PushAsync(image, client, null, Ct);
        var firstLines = await registry.StopAsync();
        DistributionRegistry.BlobUploads(firstLines).ShouldBe(4, string.Join('\n', firstLines));
        await registry.RestartAsync(Ct);
        using (var client = new RegistryClient(dest)) second = await new ImagePusher(Cas).PushAsync(image, client, null, Ct);
        var secondLines = await registry.StopAsync();
        DistributionRegistry.BlobUploads(secondLines).ShouldBe(0, string.Join('\n', secondLines));
        secondLines.ShouldContain(l => l.Contains("PUT /v2/web/manifests/1", StringComparison.Ordinal));
        second.ManifestDigest.ShouldBe(first.ManifestDigest);
        second.BlobsUploaded.ShouldBe(0);
        second.Original.ShouldBeFalse();
    }

    [Fact]
    public async Task PulledImage_PushedBack_KeepsItsManifestDigest_AndGcKeepsItsBlobs()
    {
        using var registry = await DistributionRegistry.StartAsync(Temp.Combine("registry"), Ct);
        var layout = OciLayoutWriter.Single(Temp.Combine("layout"), "1", (LayerBuilder.Busybox(), Compression.Zstd),
            (new LayerBuilder().File("etc/motd", "hi\n"), Compression.Gzip));
        await registry.PushLayoutAsync(layout, "1", "src", Ct);
        var src = ImageReference.Parse($"{registry.Host}/src:1");
        PullResult pulled;
        using (var source = new RegistrySource(new RegistryClient(src)))
            pulled = await new ImagePuller(Cas).PullAsync(source, src, Amd64, null, Ct);
        var original = pulled.Image.Record.ManifestDigest!;
        pulled.Image.Record.Manifest.ShouldBe(original);
        pulled.KeptBlobBytes.ShouldBeGreaterThan(500_000);

        Directory.CreateDirectory(Paths.Etc);
        File.WriteAllText(Path.Combine(Paths.Etc, "config.yaml"), "cas:\n  gc_grace: 0s\n");
        Volt("cas", "gc").Code.ShouldBe(0);
        var verify = Volt("cas", "verify");
        verify.Code.ShouldBe(0, verify.Out + verify.Err);

        // Pushed to a repository (and a registry) that lacks the blobs: they come from the CAS, byte for byte.
        await using var volt = await VoltRegistry.StartAsync(Temp.Combine("registry-root"), Ct);
        var push = Volt("image", "push", $"{volt.Host}/copy:1", "--image", src.ToString(), "--creds", volt.PushCreds, "-o", "json");
        push.Code.ShouldBe(0, push.Err);
        using (var doc = JsonDocument.Parse(push.Out))
        {
            doc.RootElement.GetProperty("manifest").GetString().ShouldBe(original);
            doc.RootElement.GetProperty("original").GetBoolean().ShouldBeTrue();
            doc.RootElement.GetProperty("blobs_uploaded").GetInt32().ShouldBe(3);
        }
        var inspect = TestEnv.Run("skopeo", "inspect", "--tls-verify=false", "--raw", $"docker://{volt.Host}/copy:1");
        inspect.Code.ShouldBe(0, inspect.Err);
        LayerBuilder.Sha256(Encoding.UTF8.GetBytes(inspect.Out)).ShouldBe(original);

        // And back to where it came from: nothing to upload, same digest.
        using var client = new RegistryClient(ImageReference.Parse($"{registry.Host}/src:again"));
        var back = await new ImagePusher(Cas).PushAsync(pulled.Image, client, null, Ct);
        back.ManifestDigest.ShouldBe(original);
        back.BlobsUploaded.ShouldBe(0);
    }

    private sealed record TarHeader(char Type, string Name, long MTime, long ATime, long CTime, string Magic, string UName);

    /// <summary>Every 512-byte header of a tar, with the payload blocks skipped.</summary>
    private static List<TarHeader> TarHeaders(byte[] tar)
    {
        static string Str(byte[] b, int off, int len) => Encoding.ASCII.GetString(b, off, len).TrimEnd('\0');
        static long Oct(byte[] b, int off, int len) { var s = Str(b, off, len).Trim(' ', '\0'); return s.Length == 0 ? 0 : Convert.ToInt64(s, 8); }
        var list = new List<TarHeader>();
        for (var pos = 0; pos + 512 <= tar.Length;)
        {
            if (tar.AsSpan(pos, 512).IndexOfAnyExcept((byte)0) < 0) break;
            var size = Oct(tar, pos + 124, 12);
            var magic = Str(tar, pos + 257, 8);
            list.Add(new TarHeader((char)tar[pos + 156], Str(tar, pos, 100), Oct(tar, pos + 136, 12),
                magic == "ustar  " ? Oct(tar, pos + 345, 12) : 0, magic == "ustar  " ? Oct(tar, pos + 357, 12) : 0, magic, Str(tar, pos + 265, 32)));
            pos += 512 + (int)((size + 511) / 512 * 512);
        }
        return list;
    }
}
