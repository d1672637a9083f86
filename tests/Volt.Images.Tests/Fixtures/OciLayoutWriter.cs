using System.Text;

namespace Volt.Images.Tests.Fixtures;

/// <summary>Writes OCI image layouts by hand: single images or multi-platform indexes, any layer compression.</summary>
public sealed class OciLayoutWriter
{
    private readonly string _dir;

    public OciLayoutWriter(string dir)
    {
        _dir = dir;
        Directory.CreateDirectory(Path.Combine(dir, "blobs", "sha256"));
        File.WriteAllText(Path.Combine(dir, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    }

    public string Dir => _dir;

    public string Blob(byte[] data)
    {
        var d = LayerBuilder.Sha256(data);
        File.WriteAllBytes(Path.Combine(_dir, "blobs", "sha256", d[7..]), data);
        return d;
    }

    public static string MediaType(Compression c) => c switch
    {
        Compression.Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
        Compression.Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        _ => "application/vnd.oci.image.layer.v1.tar",
    };

    /// <summary>Writes config, layers and manifest; returns (manifest digest, manifest size).</summary>
    public (string Digest, int Size) Image(IReadOnlyList<(LayerBuilder Layer, Compression Compression)> layers, string arch = "amd64",
        string configFields = "\"Env\":[\"PATH=/bin\",\"GREETING=hi\"],\"Cmd\":[\"/bin/sh\"],\"WorkingDir\":\"/srv\",\"User\":\"1000:1000\",\"ExposedPorts\":{\"80/tcp\":{}}")
    {
        var descs = new List<string>();
        var diffIds = new List<string>();
        foreach (var (layer, c) in layers)
        {
            var tar = layer.Tar();
            diffIds.Add(LayerBuilder.Sha256(tar));
            var blob = LayerBuilder.Compress(tar, c);
            descs.Add($"{{\"mediaType\":\"{MediaType(c)}\",\"digest\":\"{Blob(blob)}\",\"size\":{blob.Length}}}");
        }
        var config = Encoding.UTF8.GetBytes(
            $"{{\"created\":\"2024-01-02T03:04:05Z\",\"architecture\":\"{arch}\",\"os\":\"linux\",\"config\":{{{configFields}}}," +
            $"\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[{string.Join(",", diffIds.Select(d => $"\"{d}\""))}]}}}}");
        var manifest = Encoding.UTF8.GetBytes(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"," +
            $"\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{Blob(config)}\",\"size\":{config.Length}}}," +
            $"\"layers\":[{string.Join(",", descs)}]}}");
        return (Blob(manifest), manifest.Length);
    }

    /// <summary>index.json naming one manifest (or index) with a tag.</summary>
    public void Index(string tag, string digest, int size, string mediaType = "application/vnd.oci.image.manifest.v1+json") =>
        File.WriteAllText(Path.Combine(_dir, "index.json"),
            $"{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"{mediaType}\",\"digest\":\"{digest}\",\"size\":{size}," +
            $"\"annotations\":{{\"org.opencontainers.image.ref.name\":\"{tag}\"}}}}]}}");

    /// <summary>A multi-platform image index blob over (manifest, arch) pairs; returns its digest and size.</summary>
    public (string Digest, int Size) MultiArch(params (string Digest, int Size, string Arch)[] images)
    {
        var entries = images.Select(i =>
            $"{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{i.Digest}\",\"size\":{i.Size},\"platform\":{{\"os\":\"linux\",\"architecture\":\"{i.Arch}\"}}}}");
        var index = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{string.Join(",", entries)}]}}");
        return (Blob(index), index.Length);
    }

    /// <summary>A layout of <see cref="LayerBuilder.RunnableBusybox"/> with a config nspawn can run (root user, /bin/sh).</summary>
    public static string Runnable(string dir, string tag)
    {
        var w = new OciLayoutWriter(dir);
        var (d, s) = w.Image([(LayerBuilder.RunnableBusybox(), Compression.Gzip)], configFields: "\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"/bin/sh\"]");
        w.Index(tag, d, s);
        return dir;
    }

    /// <summary>One-call layout: the given layers as one image tagged <paramref name="tag"/>.</summary>
    public static string Single(string dir, string tag, params (LayerBuilder, Compression)[] layers)
    {
        var w = new OciLayoutWriter(dir);
        var (d, s) = w.Image(layers);
        w.Index(tag, d, s);
        return dir;
    }
}
