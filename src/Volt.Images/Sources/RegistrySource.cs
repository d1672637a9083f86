using Volt.Images.Distribution;
using Volt.Images.Oci;

namespace Volt.Images.Sources;

/// <summary>An image in a registry, pulled through <see cref="RegistryClient"/>.</summary>
public sealed class RegistrySource(RegistryClient client) : IImageSource
{
    public async Task<ResolvedImage> ResolveAsync(Platform platform, CancellationToken ct)
    {
        var what = client.Reference.ToString();
        var (manifest, digest, chosen, body, mediaType) = await ManifestResolver.ResolveAsync(client.GetManifestAsync, client.Reference.Reference, platform, what, ct)
            .ConfigureAwait(false);
        byte[] config;
        await using (var s = await client.GetBlobAsync(manifest.Config!.Digest, ct).ConfigureAwait(false))
        using (var ms = new MemoryStream())
        {
            await s.CopyToAsync(ms, ct).ConfigureAwait(false);
            config = ms.ToArray();
        }
        ManifestResolver.Verify(config, manifest.Config, $"config of {what}");
        return new ResolvedImage(digest, config, manifest.Layers!, chosen ?? platform, body, mediaType);
    }

    public Task<Stream> OpenBlobAsync(Descriptor layer, CancellationToken ct) => client.GetBlobAsync(layer.Digest, ct);

    public void Dispose() => client.Dispose();
}
