using Volt.Images.Oci;

namespace Volt.Images.Sources;

/// <summary>
/// An image resolved to one platform: its config bytes (digest-verified) and its layers in order; for a source with
/// real manifests (registry, OCI layout) also the image manifest's bytes as fetched and its media type.
/// </summary>
public sealed record ResolvedImage(string? ManifestDigest, byte[] Config, IReadOnlyList<Descriptor> Layers, Platform Platform,
    byte[]? Manifest = null, string? ManifestMediaType = null);

/// <summary>Where an image comes from: a registry, an OCI layout directory, or a docker-archive.</summary>
public interface IImageSource : IDisposable
{
    /// <summary>Fetches the manifest (picking <paramref name="platform"/> out of an index) and the config.</summary>
    Task<ResolvedImage> ResolveAsync(Platform platform, CancellationToken ct);

    /// <summary>Opens a layer blob as stored (compressed or not); the caller verifies its digest while reading.</summary>
    Task<Stream> OpenBlobAsync(Descriptor layer, CancellationToken ct);
}
