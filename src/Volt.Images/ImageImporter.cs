using Volt.Core.Errors;
using Volt.Images.Oci;
using Volt.Images.Sources;
using Volt.Storage.Cas;

namespace Volt.Images;

/// <summary>
/// <c>volt image import PATH[:TAG]</c>: an OCI layout directory or a docker-archive tar (an OCI-layout tar
/// works too). The image name is <c>--name</c>, else the archive's first RepoTag, else the layout's
/// <c>ref.name</c> annotation as the tag of a name taken from the directory.
/// </summary>
public sealed class ImageImporter(CasStore cas)
{
    public async Task<PullResult> ImportAsync(string path, string? name, Platform platform, TransferCounters? counters = null, CancellationToken ct = default)
    {
        string? tag = null;
        var full = Path.GetFullPath(path);
        if (!Directory.Exists(full) && !File.Exists(full))
        {
            var colon = path.LastIndexOf(':');
            if (colon > 0 && (Directory.Exists(path[..colon]) || File.Exists(path[..colon]))) { tag = path[(colon + 1)..]; full = Path.GetFullPath(path[..colon]); }
            else throw VoltException.NotFound($"\"{path}\" not found");
        }
        if (Directory.Exists(full))
        {
            if (!OciLayoutSource.IsLayout(full)) throw VoltException.Usage($"\"{path}\" is not an OCI image layout (no index.json and blobs/)");
            var imageName = ImageReference.Parse(name ?? DefaultName(full, tag ?? OciLayoutSource.SingleTag(full)));
            using var source = new OciLayoutSource(full, tag);
            return await new ImagePuller(cas).PullAsync(source, imageName, platform, counters, ct).ConfigureAwait(false);
        }
        cas.EnsureCreated();
        using var archive = new DockerArchiveSource(full, Path.Combine(cas.TmpDir, $"{Environment.ProcessId}.{Guid.NewGuid():N}.import"), tag);
        var fallback = archive.RepoTags.FirstOrDefault() ?? DefaultName(full, tag);
        var parsed = ImageReference.Parse(name ?? fallback);
        return await new ImagePuller(cas).PullAsync(archive, parsed, platform, counters, ct).ConfigureAwait(false);
    }

    private static string DefaultName(string path, string? tag)
    {
        var baseName = Path.GetFileName(path.TrimEnd('/'));
        var dot = baseName.IndexOf('.');
        if (dot > 0) baseName = baseName[..dot];
        var clean = new string([.. baseName.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
        if (clean.Length == 0) clean = "imported";
        return tag is not null && tag.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') ? $"{clean}:{tag}" : clean;
    }
}
