using System.Text.Json;
using System.Text.Json.Serialization;
using Volt.Core.Errors;
using Volt.Storage.Cas;

namespace Volt.Images.Store;

/// <summary>
/// An image as the CAS holds it: a small JSON object (BLAKE3-addressed) named by the ref
/// <c>images/&lt;name&gt;/&lt;tag&gt;</c> of kind <c>image</c>. GC keeps the record, its tree (and so every
/// file object) and its config.
/// <code>
/// {"schema":"volt.image/v1",
///  "ref":"127.0.0.1:5000/busybox:1.36",           name:tag as pulled, imported or built
///  "tree":"blake3:…",                            volt.tree/v1 manifest of the final rootfs
///  "config":"sha256:…",                          the OCI image config, stored byte-for-byte as pulled
///  "manifestDigest":"sha256:…",                  the registry manifest it came from (null for build-from-dir)
///  "manifest":"sha256:…",                        that manifest kept in the CAS with its layer blobs (pulls and
///  "manifestMediaType":"…",                      OCI-layout imports): push re-sends them, keeping the digest
///  "platform":"linux/amd64",
///  "env":["PATH=…"],"entrypoint":[…],"cmd":["sh"],"workdir":"/","user":"",
///  "exposedPorts":["80/tcp"],
///  "size":1234567,                               logical bytes of all files
///  "created":"2026-…Z"}                          from the config (or the time of the build)
/// </code>
/// </summary>
public sealed class ImageRecord
{
    public const string SchemaV1 = "volt.image/v1";

    [JsonPropertyName("schema")] public string Schema { get; set; } = SchemaV1;
    [JsonPropertyName("ref")] public string Ref { get; set; } = "";
    [JsonPropertyName("tree")] public string Tree { get; set; } = "";
    [JsonPropertyName("config")] public string Config { get; set; } = "";
    [JsonPropertyName("manifestDigest")] public string? ManifestDigest { get; set; }
    /// <summary>The original manifest, kept as a sha256 object with its config and layer blobs (GC keeps them).</summary>
    [JsonPropertyName("manifest")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Manifest { get; set; }
    [JsonPropertyName("manifestMediaType")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ManifestMediaType { get; set; }
    [JsonPropertyName("platform")] public string Platform { get; set; } = "linux/amd64";
    [JsonPropertyName("env")] public List<string> Env { get; set; } = [];
    [JsonPropertyName("entrypoint")] public List<string> Entrypoint { get; set; } = [];
    [JsonPropertyName("cmd")] public List<string> Cmd { get; set; } = [];
    [JsonPropertyName("workdir")] public string Workdir { get; set; } = "";
    [JsonPropertyName("user")] public string User { get; set; } = "";
    [JsonPropertyName("exposedPorts")] public List<string> ExposedPorts { get; set; } = [];
    [JsonPropertyName("size")] public long Size { get; set; }
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; set; }

    [JsonIgnore] public Digest TreeDigest => Digest.Parse(Tree);
    [JsonIgnore] public Digest ConfigDigest => Digest.Parse(Config);

    /// <summary>The short ID shown by <c>volt image list</c>: the first 12 hex digits of the config digest.</summary>
    [JsonIgnore] public string Id => ConfigDigest.Hex[..12];

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, ImageJson.Default.ImageRecord);

    public static ImageRecord Parse(ReadOnlySpan<byte> json, string what)
    {
        ImageRecord? r;
        try { r = JsonSerializer.Deserialize(json, ImageJson.Default.ImageRecord); }
        catch (JsonException e) { throw new VoltException(ExitCode.General, $"{what} is not a valid image record: {e.Message}"); }
        if (r is null || r.Schema != SchemaV1) throw new VoltException(ExitCode.General, $"{what} is not a {SchemaV1} image record");
        return r;
    }
}

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(ImageRecord))]
internal sealed partial class ImageJson : JsonSerializerContext;
