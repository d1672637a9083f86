using System.Text.Json;
using Volt.Core.Errors;
using Volt.Images.Oci;
using Volt.Storage.Cas;

namespace Volt.Images.Sources;

/// <summary>
/// An OCI image layout directory (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/&lt;alg&gt;/&lt;hex&gt;</c>), as
/// written by <c>skopeo copy … oci:DIR:TAG</c> or <c>buildah push … oci:DIR</c>. A tag selects the index entry
/// annotated <c>org.opencontainers.image.ref.name</c>; without one the layout must hold a single image (or a
/// single multi-platform index).
/// </summary>
public sealed class OciLayoutSource(string dir, string? tag) : IImageSource
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    public static bool IsLayout(string dir) => File.Exists(Path.Combine(dir, "index.json")) && Directory.Exists(Path.Combine(dir, "blobs"));

    public async Task<ResolvedImage> ResolveAsync(Platform platform, CancellationToken ct)
    {
        var indexBytes = await File.ReadAllBytesAsync(Path.Combine(dir, "index.json"), ct).ConfigureAwait(false);
        var index = ManifestDocument.Parse(indexBytes, $"{dir}/index.json");
        if (index.Manifests is null || index.Manifests.Count == 0) throw VoltException.NotFound($"OCI layout \"{dir}\" holds no images");
        Descriptor? start;
        if (tag is not null)
        {
            start = index.Manifests.FirstOrDefault(m => m.Annotations?.GetValueOrDefault(RefNameAnnotation) == tag)
                ?? throw VoltException.NotFound($"OCI layout \"{dir}\" has no image tagged \"{tag}\"");
        }
        else if (index.Manifests.Count == 1) start = index.Manifests[0];
        else start = index.Manifests.FirstOrDefault(m => platform.Matches(m.Platform))
            ?? throw VoltException.Usage($"OCI layout \"{dir}\" holds {index.Manifests.Count} images: name one as {dir}:TAG");

        var (manifest, digest, chosen, body, mediaType) = await ManifestResolver.ResolveAsync(
            async (reference, c) => (await ReadBlobAsync(reference, c).ConfigureAwait(false), null), start.Digest, platform, $"OCI layout \"{dir}\"", ct)
            .ConfigureAwait(false);
        var config = await ReadBlobAsync(manifest.Config!.Digest, ct).ConfigureAwait(false);
        ManifestResolver.Verify(config, manifest.Config, "config");
        return new ResolvedImage(digest, config, manifest.Layers!, chosen ?? start.Platform ?? platform, body, mediaType);
    }

    public Task<Stream> OpenBlobAsync(Descriptor layer, CancellationToken ct) => Task.FromResult<Stream>(File.OpenRead(BlobPath(layer.Digest)));

    private async Task<byte[]> ReadBlobAsync(string digest, CancellationToken ct)
    {
        var path = BlobPath(digest);
        if (new FileInfo(path) is { Exists: true, Length: > 64 << 20 }) throw new VoltException(ExitCode.Resource, $"blob {digest} in \"{dir}\" is too large for a manifest or config");
        return await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
    }

    private string BlobPath(string digest)
    {
        if (!Digest.TryParse(digest, out var d) || d.Value.Algorithm == HashAlgo.Blake3 || !digest.Contains(':'))
            throw new VoltException(ExitCode.General, $"OCI layout \"{dir}\" names an invalid digest \"{digest}\"");
        var path = Path.Combine(dir, "blobs", Digest.AlgoName(d.Value.Algorithm), d.Value.Hex);
        if (!File.Exists(path)) throw VoltException.NotFound($"OCI layout \"{dir}\" lacks blob {digest}");
        return path;
    }

    /// <summary>The tag of the only image in a layout, when it has one.</summary>
    public static string? SingleTag(string dir)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "index.json")));
            var manifests = doc.RootElement.GetProperty("manifests");
            if (manifests.GetArrayLength() != 1) return null;
            return manifests[0].TryGetProperty("annotations", out var a) && a.TryGetProperty(RefNameAnnotation, out var n) ? n.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException) { return null; }
    }

    public void Dispose() { }
}
