using System.Text.Json;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Json;

namespace Volt.Workloads.Model;

/// <summary>
/// The fields a listing shows, read from a record file through <see cref="JsonDocument"/> instead of the serializer:
/// System.Text.Json configures each contract at its first use (property metadata, and the polymorphism attributes of
/// every type, read by reflection), which was the largest share of <c>volt ps</c>'s own work (docs/decisions.md, s7).
/// Names and value forms are the records' own (snake_case, RFC 3339 times, enum words); a file that is missing or torn
/// (<see cref="AtomicFile.IsTornRecord"/>) reads as absent, one that is not JSON or has a field of the wrong type fails
/// as the serializer's readers fail ("Failed reading FILE: …"). Tests check every reader against the serializer.
/// </summary>
internal static class RecordFields
{
    /// <summary>The record's root object, or null when the file is missing or torn.</summary>
    public static JsonDocument? Open(string file)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(file); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
        if (AtomicFile.IsTornRecord(bytes)) return null;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(bytes); }
        catch (JsonException e) { throw Failed(file, e.Message, e); }
        if (doc.RootElement.ValueKind == JsonValueKind.Object) return doc;
        var kind = doc.RootElement.ValueKind;
        doc.Dispose();
        throw Failed(file, $"the record is a JSON {kind}, not an object", null);
    }

    /// <summary>Reads <paramref name="file"/>'s root object with <paramref name="read"/>; default when the file is missing or torn.</summary>
    public static T? Read<T>(string file, Func<JsonElement, T> read)
    {
        using var doc = Open(file);
        if (doc is null) return default;
        try { return read(doc.RootElement); }
        catch (Exception e) when (e is InvalidOperationException or FormatException) { throw Failed(file, e.Message, e); }
    }

    private static VoltException Failed(string file, string message, Exception? inner) =>
        new(ExitCode.General, $"Failed reading {file}: {message}", inner);

    /// <summary>The member <paramref name="name"/>; false when it is absent or JSON null.</summary>
    public static bool Has(this JsonElement o, string name, out JsonElement value) =>
        o.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    public static string? String(this JsonElement o, string name) => o.Has(name, out var v) ? v.GetString() : null;

    public static int? Int(this JsonElement o, string name) => o.Has(name, out var v) ? v.GetInt32() : null;

    public static long? Long(this JsonElement o, string name) => o.Has(name, out var v) ? v.GetInt64() : null;

    public static bool Bool(this JsonElement o, string name) => o.Has(name, out var v) && v.GetBoolean();

    public static DateTimeOffset? Time(this JsonElement o, string name) => o.Has(name, out var v) ? v.GetDateTimeOffset() : null;

    public static IReadOnlyList<string> Strings(this JsonElement o, string name)
    {
        if (!o.Has(name, out var v)) return [];
        var list = new List<string>(v.GetArrayLength());
        foreach (var item in v.EnumerateArray()) list.Add(item.GetString() ?? throw new InvalidOperationException($"\"{name}\" holds a null"));
        return list;
    }

    /// <summary>An enum member in its word (or number), as <paramref name="words"/> reads it; <paramref name="absent"/> when missing.</summary>
    public static T Enum<T>(this JsonElement o, string name, EnumWords<T> words, T absent) where T : struct, System.Enum
    {
        if (!o.Has(name, out var v)) return absent;
        if (v.ValueKind == JsonValueKind.Number) return words.FromNumber(v.GetInt32());
        if (v.ValueKind != JsonValueKind.String) throw new InvalidOperationException($"\"{name}\" is a JSON {v.ValueKind}, not a word");
        try { return words.FromWord(v.GetString()!); }
        catch (JsonException e) { throw new InvalidOperationException(e.Message, e); }
    }

    /// <summary>A <c>restart</c> schedule object (<c>attempt</c>, <c>next_at</c>; a missing one is 0 / default, as the serializer reads it).</summary>
    public static Containers.RestartSchedule? Restart(this JsonElement o, string name) =>
        o.Has(name, out var r) ? new Containers.RestartSchedule(r.Int("attempt") ?? 0, r.Time("next_at") ?? default) : null;
}
