using System.Text.Json;
using System.Text.Json.Serialization;
using Volt.Core.Errors;
using Volt.Core.IO;

namespace Volt.Storage.Cas;

/// <summary>What a ref's target is, which tells GC how to walk it.</summary>
public static class RefKind
{
    /// <summary>A Volt tree manifest (<see cref="TreeManifest"/>): keeps every file object it lists.</summary>
    public const string Tree = "tree";
    /// <summary>A single object.</summary>
    public const string Blob = "blob";
    /// <summary>An OCI manifest or index: keeps its config, layers, and (for an index) its manifests.</summary>
    public const string Oci = "oci";
    /// <summary>A Volt image record (<c>volt.image/v1</c>): keeps the record, its <c>tree</c> (and every file) and its <c>config</c>.</summary>
    public const string Image = "image";

    public static bool IsKnown(string kind) => kind is Tree or Blob or Oci or Image;
}

/// <summary>A named pointer into the store.</summary>
public sealed record CasRef(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("updated")] DateTimeOffset Updated)
{
    [JsonIgnore] public Digest Target => Cas.Digest.Parse(Digest);
}

[JsonSerializable(typeof(CasRef))]
internal sealed partial class RefJsonContext : JsonSerializerContext;

/// <summary>
/// refs/: one small JSON file per name, written atomically. Names are relative paths of segments made of
/// <c>[A-Za-z0-9._:@+-]</c>, never <c>.</c> or <c>..</c>, at most 1024 bytes.
/// </summary>
public sealed class RefStore(string dir, TimeProvider time)
{
    public const int MaxNameLength = 1024;

    public string Directory => dir;

    /// <summary>Throws a usage error (exit 2) naming what is wrong with <paramref name="name"/>.</summary>
    public static void Validate(string name)
    {
        if (string.IsNullOrEmpty(name)) throw VoltException.Usage("ref name is empty");
        if (name.Contains('\0')) throw VoltException.Usage("invalid ref name: contains a NUL byte");
        if (name.Length > MaxNameLength) throw VoltException.Usage($"invalid ref name: longer than {MaxNameLength} characters");
        if (name[0] == '/') throw VoltException.Usage($"invalid ref name \"{name}\": must not start with '/'");
        foreach (var segment in name.Split('/'))
        {
            if (segment.Length == 0) throw VoltException.Usage($"invalid ref name \"{name}\": empty path segment");
            if (segment is "." or "..") throw VoltException.Usage($"invalid ref name \"{name}\": '.' and '..' segments are not allowed");
            foreach (var c in segment)
                if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':' or '@' or '+'))
                    throw VoltException.Usage($"invalid ref name \"{name}\": character '{(char.IsControl(c) ? $"\\x{(int)c:x2}" : c)}' is not allowed");
        }
    }

    public static bool IsValid(string name)
    {
        try { Validate(name); return true; }
        catch (VoltException) { return false; }
    }

    private string PathOf(string name) => Path.Combine(dir, name);

    public CasRef Set(string name, Digest digest, string kind, long size)
    {
        Validate(name);
        if (!RefKind.IsKnown(kind)) throw new ArgumentException($"unknown ref kind {kind}", nameof(kind));
        var r = new CasRef(name, digest.ToString(), kind, size, time.GetUtcNow());
        var path = PathOf(name);
        if (System.IO.Directory.Exists(path))
            throw VoltException.Conflict($"ref \"{name}\" conflicts with existing refs under \"{name}/\"");
        for (var parent = Path.GetDirectoryName(name); !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent))
            if (File.Exists(PathOf(parent)))
                throw VoltException.Conflict($"ref \"{name}\" conflicts with existing ref \"{parent}\"");
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(r, RefJsonContext.Default.CasRef));
        return r;
    }

    public CasRef? TryGet(string name)
    {
        if (!IsValid(name)) return null;
        return Read(PathOf(name), name);
    }

    public CasRef Get(string name)
    {
        Validate(name);
        return TryGet(name) ?? throw VoltException.NotFound($"ref \"{name}\" not found");
    }

    /// <summary>Removes a ref and any directories it leaves empty; false if it did not exist.</summary>
    public bool Delete(string name)
    {
        Validate(name);
        var path = PathOf(name);
        if (!File.Exists(path)) return false;
        File.Delete(path);
        for (var parent = Path.GetDirectoryName(path); parent is not null && parent.Length > dir.Length; parent = Path.GetDirectoryName(parent))
        {
            try { System.IO.Directory.Delete(parent); }
            catch (IOException) { break; }
        }
        return true;
    }

    /// <summary>Every ref under <paramref name="prefix"/> (a name prefix ending at a segment boundary, or "").</summary>
    public List<CasRef> List(string prefix = "")
    {
        var result = new List<CasRef>();
        var start = prefix.Length == 0 ? dir : PathOf(prefix.TrimEnd('/'));
        if (File.Exists(start))
        {
            if (Read(start, prefix.TrimEnd('/')) is { } single) result.Add(single);
            return result;
        }
        if (!System.IO.Directory.Exists(start)) return result;
        foreach (var file in System.IO.Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(dir, file);
            if (Path.GetFileName(file).StartsWith('.')) continue; // atomic-write temp files
            if (Read(file, name) is { } r) result.Add(r);
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return result;
    }

    private static CasRef? Read(string path, string name)
    {
        try
        {
            var r = JsonSerializer.Deserialize(File.ReadAllBytes(path), RefJsonContext.Default.CasRef);
            return r is null ? null : r with { Name = name };
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException) { return null; }
        catch (JsonException e) { throw new VoltException(ExitCode.General, $"ref \"{name}\" is corrupt: {e.Message}"); }
    }
}
