using Volt.Core.Errors;
using Volt.Images.Oci;
using Volt.Storage.Cas;

namespace Volt.Images.Store;

/// <summary>The original manifest of a pulled image, kept in the CAS (sha256 object) with its media type.</summary>
public sealed record KeptManifest(string Digest, string MediaType);

/// <summary>A stored image: its ref name, the ref itself and the record it points at.</summary>
public sealed record StoredImage(string RefName, ImageReference Name, CasRef Ref, ImageRecord Record);

/// <summary>
/// Images in the CAS: ref <c>images/&lt;name&gt;/&lt;tag&gt;</c> (kind <c>image</c>) → record object → tree +
/// config. Names keep the registry host when there is one (<c>images/127.0.0.1:5000/app/v1</c>,
/// <c>images/docker.io/library/busybox/latest</c>); local names stay as written (<c>images/web/latest</c>).
/// A name without a host is looked up as written first, then as Docker Hub's <c>docker.io/library/NAME</c>.
/// </summary>
public sealed class ImageStore(CasStore cas)
{
    public const string RefPrefix = "images";

    public CasStore Cas => cas;

    public static string RefName(ImageReference r) => $"{RefPrefix}/{r.Name}/{r.Digest ?? r.Tag}";

    /// <summary>Stores the config and the record and points the image's ref at it. Caller holds the writer lock.</summary>
    public StoredImage Save(ImageReference name, Digest tree, long size, byte[] config, string? manifestDigest, string platform, KeptManifest? kept = null)
    {
        var cfg = ImageConfigFile.Parse(config, $"the config of {name}");
        var configDigest = cas.Put(config, HashAlgo.Sha256).Digest;
        var c = cfg.Config ?? new ContainerConfig();
        var record = new ImageRecord
        {
            Ref = name.ToString(), Tree = tree.ToString(), Config = configDigest.ToString(), ManifestDigest = manifestDigest,
            Platform = platform, Env = c.Env ?? [], Entrypoint = c.Entrypoint ?? [], Cmd = c.Cmd ?? [], Workdir = c.WorkingDir ?? "",
            User = c.User ?? "", ExposedPorts = c.ExposedPorts?.Keys.Order(StringComparer.Ordinal).ToList() ?? [], Size = size,
            Created = cfg.Created, Manifest = kept?.Digest, ManifestMediaType = kept?.MediaType,
        };
        return SetRecord(name, record);
    }

    private StoredImage SetRecord(ImageReference name, ImageRecord record)
    {
        var put = cas.Put(record.Serialize());
        var refName = RefName(name);
        var r = cas.Refs.Set(refName, put.Digest, RefKind.Image, record.Size);
        return new StoredImage(refName, name, r, record);
    }

    /// <summary>Finds an image by name[:tag]; exit 3 naming it when there is none.</summary>
    public StoredImage Get(string name) => TryGet(name) ?? throw VoltException.NotFound($"image \"{name}\" not found");

    public StoredImage? TryGet(string name)
    {
        var parsed = ImageReference.Parse(name);
        foreach (var candidate in Candidates(parsed))
        {
            var r = cas.Refs.TryGet(RefName(candidate));
            if (r is { Kind: RefKind.Image }) return Load(RefName(candidate), candidate, r);
        }
        return null;
    }

    private static IEnumerable<ImageReference> Candidates(ImageReference r)
    {
        yield return r;
        if (r.Registry is null) yield return r.ForPull();
    }

    private StoredImage Load(string refName, ImageReference name, CasRef r) =>
        new(refName, name, r, ImageRecord.Parse(cas.ReadAllBytes(r.Target), $"image \"{name}\" (object {r.Digest})"));

    /// <summary>Every image, sorted by name then tag.</summary>
    public List<StoredImage> List()
    {
        var result = new List<StoredImage>();
        foreach (var r in cas.Refs.List(RefPrefix))
        {
            if (r.Kind != RefKind.Image) continue;
            var rest = r.Name[(RefPrefix.Length + 1)..];
            var slash = rest.LastIndexOf('/');
            if (slash <= 0) continue;
            var tagOrDigest = rest[(slash + 1)..];
            var name = tagOrDigest.Contains(':')
                ? new ImageReference(null, "", ImageReference.DefaultTag, tagOrDigest)
                : new ImageReference(null, "", tagOrDigest, null);
            var parsedName = ImageReference.Parse(rest[..slash]);
            name = name with { Registry = parsedName.Registry, Repository = parsedName.Repository };
            try { result.Add(Load(r.Name, name, r)); }
            catch (VoltException) { /* a record lost to corruption shows up in `volt cas verify` */ }
        }
        return result;
    }

    /// <summary>Names <paramref name="source"/>'s image also as <paramref name="target"/>.</summary>
    public StoredImage Tag(string source, string target)
    {
        var src = Get(source);
        var dst = ImageReference.Parse(target);
        if (dst.Digest is not null) throw VoltException.Usage($"cannot tag with a digest: \"{target}\"");
        var json = src.Record.Serialize();
        var copy = ImageRecord.Parse(json, "record");
        copy.Ref = dst.ToString();
        using var _ = cas.WriterLock();
        return SetRecord(dst, copy);
    }

    /// <summary>Removes the image's ref (objects stay until <c>volt cas gc</c>).</summary>
    public StoredImage Remove(string name)
    {
        var img = Get(name);
        using var _ = cas.WriterLock();
        cas.Refs.Delete(img.RefName);
        return img;
    }
}
