using System.Globalization;
using Volt.Core.Config;
using Volt.Core.Errors;

namespace Volt.Workloads.Logs;

/// <summary>
/// One line of a workload log file as voltd's stamper writes it (see <see cref="Runtime.NspawnLauncher"/>):
/// <c>2026-12-01T10:00:00.123456Z text</c>, RFC 3339 in UTC with microseconds, one space, the output line. Lines
/// without a stamp (files written before the stamper) carry no time of their own.
/// </summary>
public readonly record struct LogLine(DateTimeOffset? Time, string Text)
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";
    private const int StampLength = 27; // Format's length

    public static LogLine Parse(string line)
    {
        if (line.Length > StampLength && line[StampLength] == ' ' && line[10] == 'T' && line[StampLength - 1] == 'Z'
            && DateTimeOffset.TryParseExact(line.AsSpan(0, StampLength), Format, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            return new LogLine(t, line[(StampLength + 1)..]);
        if (line.Length == StampLength && line[StampLength - 1] == 'Z'
            && DateTimeOffset.TryParseExact(line, Format, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var empty))
            return new LogLine(empty, "");
        return new LogLine(null, line);
    }

    /// <summary>The stored form: what <c>--timestamps</c> prints.</summary>
    public static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);
}

/// <summary>What <c>volt logs</c> asks for: the last N lines, a time window, stamps shown or not, follow.</summary>
public sealed record LogQuery(int? Tail = null, DateTimeOffset? Since = null, DateTimeOffset? Until = null, bool Timestamps = false, bool Follow = false)
{
    /// <summary>Whether a line of this time is inside the window (an unknown time counts as the earliest).</summary>
    public bool Includes(DateTimeOffset? time) =>
        (Since is not { } s || (time is { } t && t >= s)) && (Until is not { } u || time is not { } t2 || t2 <= u);
}

/// <summary><c>--since</c>/<c>--until</c> values: a duration back from now (<c>10m</c>, <c>1h30m</c>), RFC 3339, or Unix seconds.</summary>
public static class LogTime
{
    private const double MaxUnixSeconds = 253_402_300_799;

    public static DateTimeOffset Parse(string text, DateTimeOffset now, string flag)
    {
        var s = text.Trim();
        // A duration always has a unit (a bare number is Unix seconds); the one duration grammar, capped so that
        // now - span never overflows.
        if (s.Any(char.IsAsciiLetter) && DurationParser.TryParse(s, out var span)) return now - span;
        // Unix seconds up to year 9999 (253402300799): beyond that no time exists to compare against.
        if (double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var unix) && unix <= MaxUnixSeconds)
            return DateTimeOffset.UnixEpoch.AddTicks((long)(unix * TimeSpan.TicksPerSecond));
        if (s.Length >= 10 && char.IsAsciiDigit(s[0])
            && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            return t;
        throw VoltException.Usage($"invalid {flag} \"{text}\": expected a duration (10m, 1h30m), RFC 3339 (2026-12-01T10:00:00Z) or Unix seconds");
    }
}

/// <summary>The same query for the journal (workloads systemd supervises): journalctl's own flags.</summary>
public static class JournalQuery
{
    public static IReadOnlyList<string> Args(string unit, LogQuery q)
    {
        var args = new List<string> { "-u", unit, "--no-pager", "-o", q.Timestamps ? "short-iso" : "cat" };
        if (q.Tail is { } n) args.AddRange(["-n", n.ToString(CultureInfo.InvariantCulture)]);
        // "@SECONDS" is journalctl's time-zone-free absolute form; the window rounds outwards to whole seconds.
        if (q.Since is { } s) args.AddRange(["--since", "@" + s.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)]);
        if (q.Until is { } u) args.AddRange(["--until", "@" + (u.ToUnixTimeMilliseconds() % 1000 == 0 ? u.ToUnixTimeSeconds() : u.ToUnixTimeSeconds() + 1).ToString(CultureInfo.InvariantCulture)]);
        if (q.Follow) args.Add("-f");
        return args;
    }
}
