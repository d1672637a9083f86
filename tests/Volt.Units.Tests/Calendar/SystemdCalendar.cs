using System.Globalization;
using Volt.Testing;

namespace Volt.Units.Tests.Calendar;

/// <summary>The real <c>systemd-analyze calendar</c>: its normalized form and elapses (UTC, whole seconds), or its error line.</summary>
internal static class SystemdCalendar
{
    public sealed record Result(string? Normalized, IReadOnlyList<DateTimeOffset> Elapses, string? Error);

    public static Result Run(string expression, DateTimeOffset baseTime, int iterations = 5, string tz = "UTC")
    {
        TestEnv.RequireTool("systemd-analyze");
        var at = "@" + (baseTime.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);
        var (code, stdout, stderr) = TestEnv.Run("systemd-analyze",
            ["calendar", $"--iterations={iterations}", $"--base-time={at}", expression], new Dictionary<string, string> { ["TZ"] = tz, ["SYSTEMD_COLORS"] = "0" }, null);
        if (code != 0) return new(null, [], stderr.Trim());
        string? normalized = null;
        var elapses = new List<DateTimeOffset>();
        string? pending = null;
        foreach (var raw in stdout.Split('\n'))
        {
            var line = raw.Trim();
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0) continue;
            var (label, value) = (line[..colon], line[(colon + 2)..]);
            if (label == "Normalized form") normalized = value;
            else if (label == "Next elapse" && value == "never") break;
            else if (label is "Next elapse" || label.StartsWith("Iter. #", StringComparison.Ordinal))
            {
                if (pending is not null) elapses.Add(ParseUtc(pending));
                pending = value;
            }
            else if (label == "(in UTC)") pending = value;
        }
        if (pending is not null) elapses.Add(ParseUtc(pending));
        return new(normalized, elapses, null);
    }

    /// <summary><c>Wed 2026-12-02 09:00:00 UTC</c>.</summary>
    private static DateTimeOffset ParseUtc(string s)
    {
        if (!s.EndsWith(" UTC", StringComparison.Ordinal)) throw new FormatException($"not a UTC timestamp: {s}");
        return DateTimeOffset.ParseExact(s[4..^4], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }
}
