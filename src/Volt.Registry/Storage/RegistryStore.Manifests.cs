using Volt.Registry.Errors;
using Volt.Storage.Cas;

namespace Volt.Registry.Storage;

/// <summary>A manifest's bytes, media type and parsed references.</summary>
public sealed record StoredManifest(Digest Digest, byte[] Bytes, ManifestInfo Info);

/// <summary>What a manifest PUT stored.</summary>
public sealed record PutManifestResult(Digest Digest, Digest? Subject, IReadOnlyList<string> Tags);

public sealed partial class RegistryStore
{
    /// <summary>The manifest size limit: larger bodies are refused with 413.</summary>
    public const int MaxManifestBytes = 4 << 20;

    /// <summary>A tag or a digest → the manifest digest, if the repository has it.</summary>
    public Digest? Resolve(string repo, string reference)
    {
        if (IsDigestReference(reference))
            return TryParseDigest(reference, out var d) && HasManifest(repo, d) ? d : null;
        if (!RepositoryName.IsValidTag(reference)) return null; // distribution-spec end-3: a read answers 200 or 404 only
        var r = Cas.Refs.TryGet(TagRef(repo, reference));
        return r is not null && Digest.TryParse(r.Digest, out var target) && Cas.Exists(target.Value) ? target : null;
    }

    public StoredManifest GetManifest(string repo, string reference) =>
        Resolve(repo, reference) is { } d ? ReadManifest(d)
        : throw OciErrors.ManifestUnknown.With($"manifest \"{reference}\" not found in repository \"{repo}\"");

    /// <summary>Reads (and caches: digests are immutable) a manifest from the CAS.</summary>
    public StoredManifest ReadManifest(Digest d)
    {
        if (Manifests.TryGet(d, out var cached)) return cached;
        byte[] bytes;
        try { bytes = Cas.ReadAllBytes(d, MaxManifestBytes); }
        catch (Volt.Core.Errors.VoltException) { throw OciErrors.ManifestUnknown.With($"manifest {d} is missing from the store"); }
        ManifestInfo info;
        // A manifest stored before PUT checked everything it checks now is still served, byte for byte, as an opaque one.
        try { info = ManifestInfo.Parse(bytes, null); }
        catch (RegistryException) { info = ManifestInfo.Opaque(); }
        var m = new StoredManifest(d, bytes, info);
        Manifests.Add(m);
        return m;
    }

    /// <summary>
    /// Stores a manifest under <paramref name="reference"/> (a tag, or the digest it must hash to) plus any
    /// <paramref name="extraTags"/>. Every blob and child manifest it names must already be in the repository;
    /// its subject need not exist yet (the referrers index records it either way).
    /// </summary>
    public PutManifestResult PutManifest(string repo, string reference, byte[] body, string? contentType, IReadOnlyList<string> extraTags)
    {
        if (body.Length > MaxManifestBytes) throw OciErrors.ManifestTooLarge.With($"manifest is {body.Length} bytes, over the {MaxManifestBytes}-byte limit");
        var byDigest = IsDigestReference(reference);
        var algo = byDigest ? ParseDigest(reference).Algorithm : HashAlgo.Sha256;
        var digest = ContentHasher.Hash(algo, body);
        if (byDigest && digest != ParseDigest(reference))
            throw OciErrors.DigestInvalid.With($"manifest hashes to {digest}, not {reference}");
        var tags = new List<string>();
        if (!byDigest) tags.Add(RepositoryName.ValidateTag(reference));
        foreach (var t in extraTags) if (!tags.Contains(t)) tags.Add(RepositoryName.ValidateTag(t));

        var info = ManifestInfo.Parse(body, contentType);
        foreach (var b in info.Blobs)
            if (!HasBlob(repo, b.Digest) && !HasManifest(repo, b.Digest))
                throw OciErrors.ManifestBlobUnknown.With($"blob {b.Digest} is not in repository \"{repo}\"");
        foreach (var m in info.Manifests)
            if (!HasManifest(repo, m.Digest))
                throw OciErrors.ManifestBlobUnknown.With($"manifest {m.Digest} is not in repository \"{repo}\"");

        using (Cas.WriterLock())
        {
            Cas.Put(body, algo);
            SetRef(ManifestRef(repo, digest), digest, RefKind.Oci, body.Length);
            if (info.Subject is { } subject) SetRef(ReferrerRef(repo, subject.Digest, digest), digest, RefKind.Oci, body.Length);
            foreach (var t in tags) SetRef(TagRef(repo, t), digest, RefKind.Oci, body.Length);
        }
        Manifests.Add(new StoredManifest(digest, body, info));
        return new PutManifestResult(digest, info.Subject?.Digest, tags);
    }

    /// <summary>Deletes a manifest by digest (and every tag and referrer entry naming it), or one tag.</summary>
    public void DeleteManifest(string repo, string reference)
    {
        using var writer = Cas.WriterLock();
        if (!IsDigestReference(reference))
        {
            if (!RepositoryName.IsValidTag(reference) || !Cas.Refs.Delete(TagRef(repo, reference)))
                throw OciErrors.ManifestUnknown.With($"tag \"{reference}\" not found in repository \"{repo}\"");
            return;
        }
        var d = ParseDigest(reference);
        if (!File.Exists(RefPath(ManifestRef(repo, d))))
            throw OciErrors.ManifestUnknown.With($"manifest {d} not found in repository \"{repo}\"");
        foreach (var tag in Cas.Refs.List($"{RefRoot}/{repo}/_tags"))
            if (tag.Digest == d.ToString()) Cas.Refs.Delete(tag.Name);
        if (Cas.Exists(d) && ReadManifest(d).Info.Subject is { } subject)
            Cas.Refs.Delete(ReferrerRef(repo, subject.Digest, d));
        Cas.Refs.Delete(ManifestRef(repo, d));
    }

    /// <summary>Tags of a repository, sorted; NAME_UNKNOWN when the repository does not exist.</summary>
    public List<string> Tags(string repo)
    {
        if (!RepositoryExists(repo)) throw OciErrors.NameUnknown.With($"repository \"{repo}\" not found");
        var dir = RefPath($"{RefRoot}/{repo}/_tags");
        var tags = Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir).Select(Path.GetFileName).Where(n => n is not null && !n.StartsWith('.')).Select(n => n!).ToList()
            : [];
        tags.Sort(StringComparer.Ordinal);
        return tags;
    }

    /// <summary>Descriptors of the manifests whose subject is <paramref name="subject"/>, optionally filtered.</summary>
    public List<Descriptor> Referrers(string repo, Digest subject, string? artifactType)
    {
        var result = new List<Descriptor>();
        foreach (var r in Cas.Refs.List($"{RefRoot}/{repo}/_referrers/{subject}"))
        {
            if (!Digest.TryParse(r.Digest, out var d) || !Cas.Exists(d.Value)) continue;
            var m = ReadManifest(d.Value);
            var type = m.Info.EffectiveArtifactType;
            if (artifactType is not null && type != artifactType) continue;
            result.Add(new Descriptor(m.Info.MediaType, d.Value, m.Bytes.Length, type, m.Info.Annotations));
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Digest.ToString(), b.Digest.ToString()));
        return result;
    }

    public static bool IsDigestReference(string reference) => reference.Contains(':');

    /// <summary>Parses an OCI digest (sha256 or sha512; BLAKE3 is a CAS-internal address, not an OCI one).</summary>
    public static bool TryParseDigest(string text, out Digest digest)
    {
        digest = default;
        if (!text.Contains(':') || !Digest.TryParse(text, out var d) || d.Value.Algorithm == HashAlgo.Blake3) return false;
        digest = d.Value;
        return true;
    }

    public static Digest ParseDigest(string text) =>
        text.Contains(':') && Digest.TryParse(text, out var d) && d.Value.Algorithm != HashAlgo.Blake3 ? d.Value
        : throw OciErrors.DigestInvalid.With($"invalid digest \"{text}\": expected sha256:<64 hex> or sha512:<128 hex>");
}
