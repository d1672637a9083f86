using Volt.Images.Oci;

namespace Volt.Images.Sources;

/// <summary>An image resolved to one platform: its config bytes (digest-verified) and its layers in order.</summary>
public sealed record ResolvedImage(string? ManifestDigest, byte[] Config, IReadOnlyList<Descriptor> Layers, Platform Platform);

/// <summary>Where an image comes from: a registry, an OCI layout directory, or a docker-archive.</summary>
public interface IImageSource : IDisposable
{
    /// <summary>Fetches the manifest (picking <paramref name="platform"/> out of an index) and the config.</summary>
    Task<ResolvedImage> ResolveAsync(Platform platform, CancellationToken ct);

    /// <summary>Opens a layer blob as stored (compressed or not); the caller verifies its digest while reading.</summary>
    Task<Stream> OpenBlobAsync(Descriptor layer, CancellationToken ct);
}
