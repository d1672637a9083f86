using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Volt.Core.Errors;
using Volt.Core.IO;

namespace Volt.Compose.Volumes;

/// <summary>A named volume's record: who made it (a stack, or the user) and when.</summary>
public sealed record VolumeRecord(string Name, DateTimeOffset Created, string? Stack, SortedDictionary<string, string> Labels)
{
    [JsonIgnore] public string Mountpoint { get; init; } = "";
}

/// <summary>
/// Named volumes: a directory each, bind-mounted into containers.
/// <code>
/// /var/lib/volt/volumes/
///   NAME/              the data (the mount source)
///   .meta/NAME.json    the record (name, created, stack, labels)
/// </code>
/// A volume is in use while a container's config mounts it; <c>rm</c> refuses then (exit 9), <c>prune</c> skips it.
/// </summary>
public sealed partial class VolumeStore(string root, TimeProvider time)
{
    [GeneratedRegex(@"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}\z")] private static partial Regex NamePattern();

    public string Root { get; } = root;
    private string MetaDir => Path.Combine(Root, ".meta");
    public string PathOf(string name) => Path.Combine(Root, name);
    private string MetaFile(string name) => Path.Combine(MetaDir, name + ".json");

    public static string Validate(string name) => NamePattern().IsMatch(name) ? name
        : throw VoltException.Usage($"invalid volume name \"{name}\": 1-128 of letters, digits, '_', '.', '-', starting with a letter or digit");

    public bool Exists(string name) => Directory.Exists(PathOf(Validate(name)));

    /// <summary>Creates the volume; false (and nothing changed) when it exists already and <paramref name="mustBeNew"/> is false.</summary>
    public bool Create(string name, string? stack = null, IReadOnlyDictionary<string, string>? labels = null, bool mustBeNew = false)
    {
        Validate(name);
        if (Directory.Exists(PathOf(name)))
            return mustBeNew ? throw VoltException.Exists($"volume \"{name}\" already exists") : false;
        Directory.CreateDirectory(MetaDir);
        var rec = new VolumeRecord(name, time.GetUtcNow(), stack, new SortedDictionary<string, string>(labels?.ToDictionary() ?? [], StringComparer.Ordinal));
        AtomicFile.WriteAllText(MetaFile(name), JsonSerializer.Serialize(rec, VolumeJson.Default.VolumeRecord));
        Directory.CreateDirectory(PathOf(name));
        return true;
    }

    public VolumeRecord Inspect(string name)
    {
        if (!Exists(name)) throw VoltException.NotFound($"volume \"{name}\" not found");
        VolumeRecord? rec = null;
        try { if (File.Exists(MetaFile(name))) rec = JsonSerializer.Deserialize(File.ReadAllText(MetaFile(name)), VolumeJson.Default.VolumeRecord); }
        catch (JsonException) { }
        rec ??= new VolumeRecord(name, Directory.GetCreationTimeUtc(PathOf(name)), null, new(StringComparer.Ordinal));
        return rec with { Mountpoint = PathOf(name) };
    }

    public IReadOnlyList<VolumeRecord> List() => !Directory.Exists(Root) ? []
        : [.. Directory.EnumerateDirectories(Root).Select(Path.GetFileName).Where(n => n is not null && NamePattern().IsMatch(n)).Order(StringComparer.Ordinal).Select(n => Inspect(n!))];

    /// <summary>Removes the volume and its data; refused while <paramref name="users"/> names a container using it.</summary>
    public void Remove(string name, IReadOnlyList<string> users, bool force = false)
    {
        if (!Exists(name)) throw VoltException.NotFound($"volume \"{name}\" not found");
        if (users.Count > 0 && !force) throw VoltException.Conflict($"volume \"{name}\" is in use by {string.Join(", ", users)}");
        Directory.Delete(PathOf(name), recursive: true);
        AtomicFile.TryDelete(MetaFile(name));
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(VolumeRecord))]
internal sealed partial class VolumeJson : JsonSerializerContext;
