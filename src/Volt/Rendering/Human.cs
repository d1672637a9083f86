using System.Globalization;
using System.Text.Json.Nodes;

namespace Volt.Rendering;

/// <summary>Formatting for people: sizes, relative times, durations, short digests.</summary>
public static class Human
{
    public static string Plain(JsonNode? node) => node switch
    {
        null => "-",
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length == 0 ? "-" : s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "yes" : "no",
        JsonValue v => v.ToJsonString(),
        JsonArray a => string.Join(",", a.Select(Plain)),
        _ => node.ToJsonString(),
    };

    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        double v = bytes;
        var u = 0;
        while (Math.Abs(v) >= 1024 && u < units.Length - 1) { v /= 1024; u++; }
        return u == 0 ? $"{bytes} B" : v.ToString(v >= 100 ? "0" : v >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture) + " " + units[u];
    }

    public static string Bytes(JsonNode? node) => node is JsonValue v && v.TryGetValue<long>(out var b) ? Bytes(b) : Plain(node);

    public static string Ago(DateTimeOffset when, DateTimeOffset now)
    {
        var d = now - when;
        if (d < TimeSpan.Zero) return "just now";
        if (d.TotalSeconds < 60) return $"{(int)d.TotalSeconds}s ago";
        if (d.TotalMinutes < 60) return $"{(int)d.TotalMinutes}m ago";
        if (d.TotalHours < 48) return $"{(int)d.TotalHours}h ago";
        return $"{(int)d.TotalDays}d ago";
    }

    public static string Duration(TimeSpan d) =>
        d.TotalMilliseconds < 1000 ? $"{d.TotalMilliseconds:0}ms"
        : d.TotalSeconds < 60 ? $"{d.TotalSeconds:0.0}s".Replace(',', '.')
        : d.TotalMinutes < 60 ? $"{(int)d.TotalMinutes}m{d.Seconds:00}s"
        : $"{(int)d.TotalHours}h{d.Minutes:00}m";

    public static string ShortDigest(JsonNode? node)
    {
        var s = Plain(node);
        var colon = s.IndexOf(':');
        return colon > 0 && s.Length > colon + 13 ? s[..(colon + 13)] : s;
    }

    public static string Ratio(double r) => r.ToString("0.00", CultureInfo.InvariantCulture) + "x";
}
