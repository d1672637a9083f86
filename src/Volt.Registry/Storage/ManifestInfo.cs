using System.Text.Json;
using Volt.Registry.Errors;
using Volt.Storage.Cas;

namespace Volt.Registry.Storage;

/// <summary>A content descriptor as a manifest lists it.</summary>
public sealed record Descriptor(string MediaType, Digest Digest, long Size, string? ArtifactType = null,
    IReadOnlyDictionary<string, string>? Annotations = null);

/// <summary>
/// What the registry needs to know about a manifest: its media type, the blobs and manifests it references, its
/// subject, and the fields the referrers API reports. Parsed from the stored bytes, never trusted from headers alone.
/// </summary>
public sealed record ManifestInfo(string MediaType, IReadOnlyList<Descriptor> Blobs, IReadOnlyList<Descriptor> Manifests,
    Descriptor? Subject, string? ArtifactType, string? ConfigMediaType, IReadOnlyDictionary<string, string>? Annotations)
{
    public bool IsIndex => MediaTypes.IsIndex(MediaType);

    /// <summary>The artifact type the referrers API reports: <c>artifactType</c>, else the config's media type.</summary>
    public string? EffectiveArtifactType => ArtifactType ?? (IsIndex ? null : ConfigMediaType);

    /// <summary>
    /// Parses <paramref name="json"/>; <paramref name="contentType"/> is used when the body has no mediaType.
    /// The body must be exactly one JSON object (nothing but whitespace after it), valid UTF-8 throughout, with no
    /// string or key that cannot be read as text (a lone surrogate escape): anything else is MANIFEST_INVALID.
    /// </summary>
    public static ManifestInfo Parse(byte[] json, string? contentType)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json)) throw OciErrors.ManifestInvalid.With("manifest is not valid UTF-8");
        try
        {
            CheckStrings(json);
            using var doc = JsonDocument.Parse(json);
            return FromRoot(doc.RootElement, contentType);
        }
        catch (JsonException e)
        {
            throw OciErrors.ManifestInvalid.With($"manifest is not valid JSON: {e.Message}");
        }
    }

    /// <summary>Reads every token once: trailing content and unreadable strings or keys fail here, not later.</summary>
    private static void CheckStrings(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName)) continue;
            try { _ = reader.GetString(); }
            catch (InvalidOperationException e)
            {
                throw OciErrors.ManifestInvalid.With($"manifest has a string that is not valid text at byte {reader.TokenStartIndex}: {e.Message}");
            }
        }
    }

    /// <summary>What the registry knows of a stored manifest it cannot parse (stored before the checks above).</summary>
    public static ManifestInfo Opaque() => new(MediaTypes.OciManifest, [], [], null, null, null, null);

    private static ManifestInfo FromRoot(JsonElement root, string? contentType)
    {
        if (root.ValueKind != JsonValueKind.Object) throw OciErrors.ManifestInvalid.With("manifest must be a JSON object");
        var mediaType = Str(root, "mediaType");
        var header = NormalizeContentType(contentType);
        if (mediaType is not null && header is not null && header != mediaType && header != MediaTypes.OctetStream)
            throw OciErrors.ManifestInvalid.With($"Content-Type \"{header}\" does not match the manifest's mediaType \"{mediaType}\"");
        mediaType ??= header is not null && header != MediaTypes.OctetStream ? header
            : root.TryGetProperty("manifests", out _) ? MediaTypes.OciIndex : MediaTypes.OciManifest;
        if (root.TryGetProperty("schemaVersion", out var sv))
        {
            if (sv.ValueKind != JsonValueKind.Number || !sv.TryGetInt32(out var version) || sv.GetRawText().AsSpan().IndexOfAny('.', 'e', 'E') >= 0)
                throw OciErrors.ManifestInvalid.With("schemaVersion must be an integer");
            if (version == 1) throw OciErrors.ManifestInvalid.With("Docker schema 1 manifests are not supported");
        }

        var blobs = new List<Descriptor>();
        var manifests = new List<Descriptor>();
        string? configType = null;
        if (root.TryGetProperty("config", out var config))
        {
            var d = Descriptor(config, "config");
            configType = d.MediaType;
            blobs.Add(d);
        }
        if (root.TryGetProperty("layers", out var layers)) blobs.AddRange(Array(layers, "layers"));
        if (root.TryGetProperty("blobs", out var more)) blobs.AddRange(Array(more, "blobs"));
        if (root.TryGetProperty("manifests", out var children)) manifests.AddRange(Array(children, "manifests"));
        var subject = root.TryGetProperty("subject", out var s) ? Descriptor(s, "subject") : null;
        return new ManifestInfo(mediaType, blobs, manifests, subject, Str(root, "artifactType"), configType, ReadAnnotations(root));
    }

    /// <summary>"application/vnd.oci.image.manifest.v1+json; charset=utf-8" → the bare type; null when absent.</summary>
    public static string? NormalizeContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return null;
        var semi = contentType.IndexOf(';');
        return (semi < 0 ? contentType : contentType[..semi]).Trim();
    }

    private static IEnumerable<Descriptor> Array(JsonElement arr, string field)
    {
        if (arr.ValueKind != JsonValueKind.Array) throw OciErrors.ManifestInvalid.With($"\"{field}\" must be an array");
        foreach (var el in arr.EnumerateArray()) yield return Descriptor(el, field);
    }

    private static Descriptor Descriptor(JsonElement el, string field)
    {
        if (el.ValueKind != JsonValueKind.Object) throw OciErrors.ManifestInvalid.With($"\"{field}\" entries must be descriptors");
        var digestText = Str(el, "digest");
        if (!Digest.TryParse(digestText, out var digest) || digest.Value.Algorithm == HashAlgo.Blake3 || !digestText!.Contains(':'))
            throw OciErrors.ManifestInvalid.With($"\"{field}\" has an invalid or unsupported digest \"{digestText}\"");
        if (!el.TryGetProperty("size", out var sizeEl) || sizeEl.ValueKind != JsonValueKind.Number || !sizeEl.TryGetInt64(out var size) || size < 0)
            throw OciErrors.ManifestInvalid.With($"\"{field}\" descriptor {digestText} has no valid size");
        return new Descriptor(Str(el, "mediaType") ?? "", digest.Value, size, Str(el, "artifactType"), ReadAnnotations(el));
    }

    private static Dictionary<string, string>? ReadAnnotations(JsonElement el)
    {
        if (!el.TryGetProperty("annotations", out var a) || a.ValueKind != JsonValueKind.Object) return null;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in a.EnumerateObject())
            if (p.Value.ValueKind == JsonValueKind.String) result[p.Name] = p.Value.GetString()!;
        return result;
    }

    private static string? Str(JsonElement el, string name) =>
        el.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
