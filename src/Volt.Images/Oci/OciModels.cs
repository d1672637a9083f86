using System.Text.Json;
using System.Text.Json.Serialization;
using Volt.Core.Errors;

namespace Volt.Images.Oci;

/// <summary>An OCI content descriptor.</summary>
public sealed class Descriptor
{
    [JsonPropertyName("mediaType")] public string? MediaType { get; set; }
    [JsonPropertyName("digest")] public string Digest { get; set; } = "";
    [JsonPropertyName("size")] public long Size { get; set; }
    [JsonPropertyName("platform")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Platform? Platform { get; set; }
    [JsonPropertyName("annotations")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>os/architecture[/variant].</summary>
public sealed class Platform
{
    [JsonPropertyName("os")] public string Os { get; set; } = "linux";
    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "amd64";
    [JsonPropertyName("variant")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Variant { get; set; }

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";

    /// <summary>Parses <c>os/arch[/variant]</c>; exit 2 on anything else.</summary>
    public static Platform Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(p => p.Length == 0))
            throw VoltException.Usage($"invalid platform \"{text}\": expected os/arch or os/arch/variant (linux/amd64)");
        return new Platform { Os = parts[0], Architecture = parts[1], Variant = parts.Length == 3 ? parts[2] : null };
    }

    public bool Matches(Platform? other) =>
        other is not null && other.Os == Os && other.Architecture == Architecture
        && (Variant is null || Variant == other.Variant);
}

/// <summary>An image manifest or an index (one type: the fields do not overlap).</summary>
public sealed class ManifestDocument
{
    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; set; }
    [JsonPropertyName("mediaType")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? MediaType { get; set; }
    [JsonPropertyName("config")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Descriptor? Config { get; set; }
    [JsonPropertyName("layers")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<Descriptor>? Layers { get; set; }
    [JsonPropertyName("manifests")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<Descriptor>? Manifests { get; set; }
    [JsonPropertyName("annotations")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, string>? Annotations { get; set; }

    public bool IsIndex => Manifests is not null && Config is null;

    public static ManifestDocument Parse(ReadOnlySpan<byte> json, string what)
    {
        ManifestDocument? m;
        try { m = JsonSerializer.Deserialize(json, OciJson.Default.ManifestDocument); }
        catch (JsonException e) { throw new VoltException(ExitCode.General, $"{what} is not a valid manifest: {e.Message}"); }
        if (m is null || m.SchemaVersion != 2)
            throw new VoltException(ExitCode.General, $"{what} is not a schema 2 manifest (Docker schema 1 is not supported)");
        if (!m.IsIndex && (m.Config is null || m.Layers is null))
            throw new VoltException(ExitCode.General, $"{what} has neither a config and layers nor a manifest list");
        return m;
    }

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, OciJson.Default.ManifestDocument);
}

/// <summary>The parts of an OCI image config Volt reads (the stored config object keeps every field as pulled).</summary>
public sealed class ImageConfigFile
{
    [JsonPropertyName("architecture")] public string? Architecture { get; set; }
    [JsonPropertyName("os")] public string? Os { get; set; }
    [JsonPropertyName("variant")] public string? Variant { get; set; }
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; set; }
    [JsonPropertyName("config")] public ContainerConfig? Config { get; set; }
    [JsonPropertyName("rootfs")] public RootFs? RootFs { get; set; }

    public static ImageConfigFile Parse(ReadOnlySpan<byte> json, string what)
    {
        try { return JsonSerializer.Deserialize(json, OciJson.Default.ImageConfigFile) ?? throw new JsonException("null"); }
        catch (JsonException e) { throw new VoltException(ExitCode.General, $"{what} is not a valid image config: {e.Message}"); }
    }
}

/// <summary>The <c>config</c> member of an image config: how to run the image.</summary>
public sealed class ContainerConfig
{
    [JsonPropertyName("User")] public string? User { get; set; }
    [JsonPropertyName("Env")] public List<string>? Env { get; set; }
    [JsonPropertyName("Entrypoint")] public List<string>? Entrypoint { get; set; }
    [JsonPropertyName("Cmd")] public List<string>? Cmd { get; set; }
    [JsonPropertyName("WorkingDir")] public string? WorkingDir { get; set; }
    [JsonPropertyName("ExposedPorts")] public Dictionary<string, JsonElement>? ExposedPorts { get; set; }
    [JsonPropertyName("Healthcheck")] public HealthcheckConfig? Healthcheck { get; set; }
}

/// <summary>Docker's <c>Healthcheck</c>: <c>Test</c> (<c>["CMD",…]</c>, <c>["CMD-SHELL","…"]</c>, <c>["NONE"]</c>); durations in nanoseconds.</summary>
public sealed class HealthcheckConfig
{
    [JsonPropertyName("Test")] public List<string>? Test { get; set; }
    [JsonPropertyName("Interval")] public long Interval { get; set; }
    [JsonPropertyName("Timeout")] public long Timeout { get; set; }
    [JsonPropertyName("StartPeriod")] public long StartPeriod { get; set; }
    [JsonPropertyName("Retries")] public int Retries { get; set; }
}

/// <summary><c>rootfs</c>: the uncompressed layer digests.</summary>
public sealed class RootFs
{
    [JsonPropertyName("type")] public string Type { get; set; } = "layers";
    [JsonPropertyName("diff_ids")] public List<string> DiffIds { get; set; } = [];
}

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(ManifestDocument))]
[JsonSerializable(typeof(ImageConfigFile))]
[JsonSerializable(typeof(List<DockerArchiveEntry>))]
internal sealed partial class OciJson : JsonSerializerContext;

/// <summary>One image of a docker-archive's <c>manifest.json</c>.</summary>
public sealed class DockerArchiveEntry
{
    [JsonPropertyName("Config")] public string Config { get; set; } = "";
    [JsonPropertyName("RepoTags")] public List<string>? RepoTags { get; set; }
    [JsonPropertyName("Layers")] public List<string> Layers { get; set; } = [];
}
