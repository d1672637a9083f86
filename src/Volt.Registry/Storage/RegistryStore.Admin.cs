using Volt.Registry.Errors;
using Volt.Storage.Cas;

namespace Volt.Registry.Storage;

/// <summary>A repository as <c>volt registry list</c> shows it.</summary>
public sealed record RepositorySummary(string Name, IReadOnlyList<string> Tags, int Manifests, int Blobs, long Size, DateTimeOffset? Updated);

public sealed partial class RegistryStore
{
    /// <summary>
    /// Every repository with its tags, manifest and blob counts, and its size: the bytes of every distinct
    /// object it links (shared objects count in each repository that links them, but are stored once).
    /// </summary>
    public List<RepositorySummary> Summaries()
    {
        var result = new List<RepositorySummary>();
        foreach (var repo in Repositories())
        {
            var refs = Cas.Refs.List(RepoRef(repo)).Where(r => OwnRef(repo, r.Name)).ToList();
            var tags = refs.Where(r => r.Name.StartsWith(TagRef(repo, ""), StringComparison.Ordinal))
                .Select(r => r.Name[TagRef(repo, "").Length..]).ToList();
            var manifests = refs.Count(r => r.Name.StartsWith($"{RepoRef(repo)}/_manifests/", StringComparison.Ordinal));
            var blobs = refs.Count(r => r.Name.StartsWith($"{RepoRef(repo)}/_blobs/", StringComparison.Ordinal));
            var size = refs.Where(r => !r.Name.StartsWith(TagRef(repo, ""), StringComparison.Ordinal) && !r.Name.Contains("/_referrers/"))
                .DistinctBy(r => r.Digest).Sum(r => r.Size);
            DateTimeOffset? updated = refs.Count == 0 ? null : refs.Max(r => r.Updated);
            result.Add(new RepositorySummary(repo, tags, manifests, blobs, size, updated));
        }
        return result;
    }

    /// <summary>Refs of nested repositories (<c>a/b</c> under <c>a</c>) are not <paramref name="repo"/>'s own.</summary>
    private static bool OwnRef(string repo, string refName) =>
        refName.Length > RepoRef(repo).Length + 1 && refName[RepoRef(repo).Length + 1] == '_';

    /// <summary>Removes a whole repository's index (tags, manifests, blob links, referrers). Objects stay for GC.</summary>
    public int DeleteRepository(string repo)
    {
        RepositoryName.Validate(repo);
        if (!RepositoryExists(repo)) throw OciErrors.NameUnknown.With($"repository \"{repo}\" not found");
        using var writer = Cas.WriterLock();
        var removed = 0;
        foreach (var r in Cas.Refs.List(RepoRef(repo)))
            if (OwnRef(repo, r.Name) && Cas.Refs.Delete(r.Name)) removed++;
        return removed;
    }

    /// <summary>Parses <c>REPO</c>, <c>REPO:TAG</c> or <c>REPO@DIGEST</c>.</summary>
    public static (string Repo, string? Reference) ParseReference(string text)
    {
        var at = text.IndexOf('@');
        if (at >= 0) return (RepositoryName.Validate(text[..at]), ParseDigest(text[(at + 1)..]).ToString());
        var colon = text.LastIndexOf(':');
        if (colon > text.LastIndexOf('/'))
            return (RepositoryName.Validate(text[..colon]), RepositoryName.ValidateTag(text[(colon + 1)..]));
        return (RepositoryName.Validate(text), null);
    }

    /// <summary>Digest-addressed objects the registry references, for reports.</summary>
    public static bool IsOciDigest(Digest d) => d.Algorithm != HashAlgo.Blake3;
}
