using System.Security.Cryptography;
using Volt.Core.Errors;
using Volt.Images.Oci;

namespace Volt.Images.Sources;

/// <summary>
/// Follows a manifest reference down to one image manifest: an index (OCI) or manifest list (Docker) picks the
/// entry for the wanted platform; nested indexes are followed up to a small depth.
/// </summary>
internal static class ManifestResolver
{
    /// <summary>Fetches a manifest by tag or digest: (bytes, media type from the transport if any).</summary>
    public delegate Task<(byte[] Body, string? MediaType)> Fetch(string reference, CancellationToken ct);

    public static async Task<(ManifestDocument Manifest, string Digest, Platform? Platform, byte[] Body, string MediaType)> ResolveAsync(
        Fetch fetch, string reference, Platform platform, string what, CancellationToken ct)
    {
        Platform? chosen = null;
        for (var depth = 0; depth < 4; depth++)
        {
            var (body, mediaType) = await fetch(reference, ct).ConfigureAwait(false);
            var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body));
            if (reference.StartsWith("sha256:", StringComparison.Ordinal) && reference != digest)
                throw new VoltException(ExitCode.General, $"manifest {reference} of {what}: content hashes to {digest}");
            var doc = ManifestDocument.Parse(body, $"manifest {reference} of {what}");
            if (!doc.IsIndex && !MediaTypes.IsIndex(mediaType ?? doc.MediaType))
                return (doc, digest, chosen, body, doc.MediaType ?? mediaType ?? MediaTypes.OciManifest);
            var pick = doc.Manifests!.FirstOrDefault(m => platform.Matches(m.Platform))
                ?? (doc.Manifests!.Count == 1 && doc.Manifests[0].Platform is null ? doc.Manifests[0] : null);
            if (pick is null)
            {
                var offered = string.Join(", ", doc.Manifests!.Select(m => m.Platform?.ToString() ?? "unknown").Distinct());
                throw VoltException.NotFound($"{what} has no image for platform {platform} (offers: {offered})");
            }
            chosen = pick.Platform;
            reference = pick.Digest;
        }
        throw new VoltException(ExitCode.General, $"{what}: image indexes nested too deeply");
    }

    /// <summary>Checks bytes against a descriptor's digest (sha256 or sha512).</summary>
    public static void Verify(byte[] data, Descriptor d, string what)
    {
        var actual = d.Digest.StartsWith("sha512:", StringComparison.Ordinal)
            ? "sha512:" + Convert.ToHexStringLower(SHA512.HashData(data))
            : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));
        if (actual != d.Digest) throw new VoltException(ExitCode.General, $"{what} {d.Digest}: content hashes to {actual}");
    }
}
