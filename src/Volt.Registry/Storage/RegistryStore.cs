using Volt.Registry.Errors;
using Volt.Storage.Cas;

namespace Volt.Registry.Storage;

/// <summary>
/// The registry's view of Stellarium: blobs and manifests are CAS objects under their OCI digest (no copy), and
/// each repository is an index of refs that GC follows.
/// <code>
/// cas/objects/sha256/ab/ab12…               every blob and manifest, once, whatever repos link it
/// cas/refs/registry/&lt;repo&gt;/
/// ├── _tags/&lt;tag&gt;                          kind oci  → the tagged manifest
/// ├── _manifests/&lt;alg&gt;:&lt;hex&gt;             kind oci  → every manifest the repo holds (tagged or not)
/// ├── _blobs/&lt;alg&gt;:&lt;hex&gt;                 kind blob → every layer/config the repo links
/// └── _referrers/&lt;alg&gt;:&lt;hex&gt;/&lt;alg&gt;:&lt;hex&gt;  kind oci  → subject → a manifest whose subject it is
/// cas/tmp/uploads/&lt;uuid&gt;/{state.json,data}  upload sessions (see <see cref="UploadStore"/>)
/// </code>
/// A repository name never has a component starting with '_', so the index folders cannot collide with nested
/// repositories. Deleting a tag, manifest or blob only removes refs: bytes are reclaimed by CAS GC once nothing
/// (in any repository, or elsewhere in Volt) reaches them.
/// </summary>
public sealed partial class RegistryStore
{
    public const string RefRoot = "registry";

    public RegistryStore(CasStore cas, long manifestCacheBytes = ManifestCache.DefaultMaxBytes)
    {
        Cas = cas;
        Uploads = new UploadStore(this);
        Manifests = new ManifestCache(manifestCacheBytes);
    }

    /// <summary>Parsed manifests, capped by bytes.</summary>
    public ManifestCache Manifests { get; }

    public CasStore Cas { get; }
    public UploadStore Uploads { get; }

    public static string RepoRef(string repo) => $"{RefRoot}/{repo}";
    public static string TagRef(string repo, string tag) => $"{RefRoot}/{repo}/_tags/{tag}";
    public static string ManifestRef(string repo, Digest d) => $"{RefRoot}/{repo}/_manifests/{d}";
    public static string BlobRef(string repo, Digest d) => $"{RefRoot}/{repo}/_blobs/{d}";
    public static string ReferrerRef(string repo, Digest subject, Digest d) => $"{RefRoot}/{repo}/_referrers/{subject}/{d}";

    private string RefPath(string name) => Path.Combine(Cas.Refs.Directory, name);

    /// <summary>Whether <paramref name="repo"/> links the blob (and the CAS still has its bytes).</summary>
    public bool HasBlob(string repo, Digest d) => File.Exists(RefPath(BlobRef(repo, d))) && Cas.Exists(d);

    public bool HasManifest(string repo, Digest d) => File.Exists(RefPath(ManifestRef(repo, d))) && Cas.Exists(d);

    /// <summary>A blob the repository may serve: a linked blob, or one of its manifests read through /blobs/.</summary>
    public bool CanServeBlob(string repo, Digest d) => HasBlob(repo, d) || HasManifest(repo, d);

    /// <summary>Links an existing CAS object into <paramref name="repo"/>. Caller holds the CAS writer lock.</summary>
    internal void LinkBlob(string repo, Digest d, long size) => SetRef(BlobRef(repo, d), d, RefKind.Blob, size);

    /// <summary>
    /// Cross-repository mount: links <paramref name="d"/> into <paramref name="repo"/> when <paramref name="from"/>
    /// links it, or (no <paramref name="from"/>) when the CAS already holds it. False means "upload it instead".
    /// </summary>
    public bool TryMount(string repo, Digest d, string? from)
    {
        if (from is not null && (!RepositoryName.IsValid(from) || !CanServeBlob(from, d))) return false;
        using var writer = Cas.WriterLock();
        if (!Cas.TryGetSize(d, out var size)) return false;
        LinkBlob(repo, d, size);
        return true;
    }

    public bool DeleteBlob(string repo, Digest d)
    {
        using var writer = Cas.WriterLock();
        return Cas.Refs.Delete(BlobRef(repo, d));
    }

    public bool RepositoryExists(string repo)
    {
        var dir = RefPath(RepoRef(repo));
        return Directory.Exists(Path.Combine(dir, "_tags")) || Directory.Exists(Path.Combine(dir, "_manifests"))
            || Directory.Exists(Path.Combine(dir, "_blobs"));
    }

    /// <summary>Every repository, sorted (the order <c>_catalog</c> pages through).</summary>
    public List<string> Repositories()
    {
        var result = new List<string>();
        var root = RefPath(RefRoot);
        if (Directory.Exists(root)) Collect(root, "", result);
        result.Sort(StringComparer.Ordinal);
        return result;
    }

    private static void Collect(string dir, string prefix, List<string> into)
    {
        IEnumerable<string> children;
        try { children = Directory.EnumerateDirectories(dir).ToList(); }
        catch (DirectoryNotFoundException) { return; }
        var isRepo = false;
        foreach (var child in children)
        {
            var name = Path.GetFileName(child);
            if (name.StartsWith('_')) { isRepo |= name is "_tags" or "_manifests" or "_blobs"; continue; }
            Collect(child, prefix.Length == 0 ? name : $"{prefix}/{name}", into);
        }
        if (isRepo && prefix.Length > 0) into.Add(prefix);
    }

    /// <summary>Writes a ref, retrying once if a concurrent delete pruned the folder it was going into.</summary>
    internal void SetRef(string name, Digest d, string kind, long size)
    {
        try { Cas.Refs.Set(name, d, kind, size); }
        catch (DirectoryNotFoundException) { Cas.Refs.Set(name, d, kind, size); }
    }
}
