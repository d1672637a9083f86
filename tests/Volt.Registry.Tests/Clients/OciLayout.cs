using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Volt.Registry.Tests.Clients;

/// <summary>Writes a minimal OCI image layout (one config, one real tar layer, one manifest) for skopeo to copy.</summary>
public static class OciLayout
{
    public static (string Dir, string LayerDigest) Create(string dir, string tag, int payloadBytes = 64 * 1024)
    {
        Directory.CreateDirectory(Path.Combine(dir, "blobs", "sha256"));
        File.WriteAllText(Path.Combine(dir, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        var tar = Tar(payloadBytes);
        var layer = Gzip(tar);
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{{}},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{Digest(tar)}\"]}}}}");
        var manifest = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"," +
            $"\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{Blob(dir, config)}\",\"size\":{config.Length}}}," +
            $"\"layers\":[{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"{Blob(dir, layer)}\",\"size\":{layer.Length}}}]}}");
        var index = $"{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{Blob(dir, manifest)}\",\"size\":{manifest.Length},\"annotations\":{{\"org.opencontainers.image.ref.name\":\"{tag}\"}}}}]}}";
        File.WriteAllText(Path.Combine(dir, "index.json"), index);
        return (dir, Digest(layer));
    }

    private static byte[] Tar(int payloadBytes)
    {
        using var ms = new MemoryStream();
        using (var tar = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            var data = new byte[payloadBytes];
            Random.Shared.NextBytes(data);
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "payload.bin") { DataStream = new MemoryStream(data) });
        }
        return ms.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }

    private static string Digest(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    private static string Blob(string dir, byte[] data)
    {
        var d = Digest(data);
        File.WriteAllBytes(Path.Combine(dir, "blobs", "sha256", d[7..]), data);
        return d;
    }
}
