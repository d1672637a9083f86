using System.Formats.Tar;
using System.Text.Json;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Images.Oci;

namespace Volt.Images.Sources;

/// <summary>
/// A docker-archive tar (<c>podman save</c>, <c>skopeo copy … docker-archive:</c>, <c>docker save</c>):
/// <c>manifest.json</c> = <c>[{"Config":"…json","RepoTags":["name:tag"],"Layers":["…tar",…]}]</c>. The archive is
/// unpacked into a private staging directory first (its members are read in manifest order, not archive
/// order); layer blobs there are verified against the config's <c>rootfs.diff_ids</c> while they are applied.
/// An archive that is really an OCI layout (<c>index.json</c> without <c>manifest.json</c>) is read as one.
/// </summary>
public sealed class DockerArchiveSource : IImageSource
{
    private readonly string _dir;
    private readonly string? _tag;
    private OciLayoutSource? _oci;

    public DockerArchiveSource(string archive, string stagingDir, string? tag)
    {
        _dir = stagingDir;
        _tag = tag;
        try
        {
            Directory.CreateDirectory(_dir);
            TarFile.ExtractToDirectory(archive, _dir, overwriteFiles: false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Dispose();
            throw VoltException.From($"Failed unpacking \"{archive}\"", e);
        }
    }

    /// <summary>Repository tags the archive names (the first becomes the default image name).</summary>
    public IReadOnlyList<string> RepoTags => ReadManifest()?.FirstOrDefault()?.RepoTags ?? [];

    public async Task<ResolvedImage> ResolveAsync(Platform platform, CancellationToken ct)
    {
        var entries = ReadManifest();
        if (entries is null)
        {
            if (!OciLayoutSource.IsLayout(_dir)) throw VoltException.Usage("not a docker-archive (no manifest.json) nor an OCI layout (no index.json)");
            _oci = new OciLayoutSource(_dir, _tag);
            return await _oci.ResolveAsync(platform, ct).ConfigureAwait(false);
        }
        if (entries.Count == 0) throw VoltException.NotFound("docker-archive holds no images");
        var entry = _tag is null ? entries[0]
            : entries.FirstOrDefault(e => e.RepoTags?.Any(t => t == _tag || t.EndsWith(":" + _tag, StringComparison.Ordinal)) == true)
              ?? throw VoltException.NotFound($"docker-archive has no image tagged \"{_tag}\"");
        var config = await File.ReadAllBytesAsync(Member(entry.Config), ct).ConfigureAwait(false);
        var cfg = ImageConfigFile.Parse(config, "the archive's image config");
        var layers = entry.Layers.Select(l => new Descriptor { MediaType = MediaTypes.OciLayer, Digest = "", Size = new FileInfo(Member(l)).Length,
            Annotations = new() { ["path"] = l } }).ToList();
        var p = new Platform { Os = cfg.Os ?? "linux", Architecture = cfg.Architecture ?? "amd64", Variant = cfg.Variant };
        return new ResolvedImage(null, config, layers, p);
    }

    public Task<Stream> OpenBlobAsync(Descriptor layer, CancellationToken ct) =>
        _oci is not null ? _oci.OpenBlobAsync(layer, ct) : Task.FromResult<Stream>(File.OpenRead(Member(layer.Annotations!["path"])));

    private List<DockerArchiveEntry>? ReadManifest()
    {
        var path = Path.Combine(_dir, "manifest.json");
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(path), OciJson.Default.ListDockerArchiveEntry) ?? []; }
        catch (JsonException e) { throw VoltException.Usage($"docker-archive manifest.json is invalid: {e.Message}"); }
    }

    /// <summary>A member of the unpacked archive: a regular file inside it, never through a symlink.</summary>
    private string Member(string relative)
    {
        var full = Path.GetFullPath(Path.Combine(_dir, relative));
        if (!full.StartsWith(_dir.TrimEnd('/') + "/", StringComparison.Ordinal) || !FileStat.TryLStat(full, out var st) || st.Kind != FileKind.File)
            throw VoltException.Usage($"docker-archive member \"{relative}\" is missing or not a regular file inside the archive");
        return full;
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
