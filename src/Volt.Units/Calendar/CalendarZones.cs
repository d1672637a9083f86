namespace Volt.Units.Calendar;

/// <summary>Time zone names as systemd's timezone_is_valid accepts them: a TZif file under the zoneinfo directory.</summary>
internal static class CalendarZones
{
    private static string ZoneInfo => Environment.GetEnvironmentVariable("TZDIR") is { Length: > 0 } d ? d : "/usr/share/zoneinfo";

    public static bool IsValid(string name)
    {
        if (name.Length == 0 || name[0] == '/' || name.Contains("..") || name.Length > 255) return false;
        foreach (var c in name)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('/' or '-' or '_' or '+')) return false;
        try
        {
            var path = Path.Combine(ZoneInfo, name);
            if (!File.Exists(path)) return false;
            Span<byte> magic = stackalloc byte[4];
            using var f = File.OpenRead(path);
            return f.Read(magic) == 4 && magic.SequenceEqual("TZif"u8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    public static TimeZoneInfo Find(string name)
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById(name); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException) { return TimeZoneInfo.Utc; }
    }
}
