using System.Text.Json;
using System.Text.Json.Serialization;
using Volt.Core.Errors;

namespace Volt.Storage.Cas;

/// <summary>
/// A directory tree as a CAS object (kind <c>tree</c>), compact JSON with entries sorted by path so the same
/// tree always hashes the same:
/// <code>
/// {"schema":"volt.tree/v1","files":N,"dirs":N,"size":logical-bytes,
///  "entries":[{"path":".","type":"dir","mode":"0755","uid":0,"gid":0,"mtime":"…Z"},
///             {"path":"bin/sh","type":"file","mode":"0755","uid":0,"gid":0,"mtime":"…","size":123,"digest":"blake3:…"},
///             {"path":"lib","type":"symlink","mode":"0777",…,"target":"usr/lib"},
///             {"path":"dev/null","type":"char",…,"rdev":"1:3"}]}
/// </code>
/// Paths are relative, '/'-separated, never absolute and never containing "..". Empty directories are kept.
/// </summary>
public sealed class TreeManifest
{
    public const string SchemaV1 = "volt.tree/v1";

    [JsonPropertyName("schema")] public string Schema { get; set; } = SchemaV1;
    [JsonPropertyName("files")] public long Files { get; set; }
    [JsonPropertyName("dirs")] public long Dirs { get; set; }
    [JsonPropertyName("size")] public long Size { get; set; }
    [JsonPropertyName("entries")] public List<TreeEntry> Entries { get; set; } = [];

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, TreeJsonContext.Default.TreeManifest);

    public static TreeManifest Parse(ReadOnlySpan<byte> json, string what)
    {
        TreeManifest? m;
        try { m = JsonSerializer.Deserialize(json, TreeJsonContext.Default.TreeManifest); }
        catch (JsonException e) { throw new VoltException(ExitCode.General, $"{what} is not a valid tree manifest: {e.Message}"); }
        if (m is null || m.Schema != SchemaV1) throw new VoltException(ExitCode.General, $"{what} is not a {SchemaV1} tree manifest");
        return m;
    }

    public static TreeManifest Load(CasStore store, Digest digest) =>
        Parse(store.ReadAllBytes(digest, 1L << 30), $"object {digest}");

    /// <summary>Every object digest the tree references (file contents), without materialising entries.</summary>
    public static IEnumerable<Digest> ReferencedDigests(byte[] json)
    {
        var list = new List<Digest>();
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("digest"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && Digest.TryParse(reader.GetString(), out var d)) list.Add(d.Value);
            }
        }
        return list;
    }
}

/// <summary>One path in a <see cref="TreeManifest"/>.</summary>
public sealed class TreeEntry
{
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    /// <summary>file, dir, symlink, char, block, fifo or socket.</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "file";
    /// <summary>Octal permission bits including setuid/setgid/sticky, e.g. "0755".</summary>
    [JsonPropertyName("mode")] public string Mode { get; set; } = "0644";
    [JsonPropertyName("uid")] public uint Uid { get; set; }
    [JsonPropertyName("gid")] public uint Gid { get; set; }
    [JsonPropertyName("mtime")] public DateTimeOffset MTime { get; set; }
    [JsonPropertyName("size")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long Size { get; set; }
    [JsonPropertyName("digest")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Digest { get; set; }
    [JsonPropertyName("target")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Target { get; set; }
    [JsonPropertyName("rdev")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? RDev { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(TreeManifest))]
internal sealed partial class TreeJsonContext : JsonSerializerContext;
