using System.Globalization;

namespace Volt.Units;

/// <summary>
/// Time spans in systemd.time(7) syntax: <c>5min 20s</c>, <c>100ms</c>, <c>1.5h</c>, bare numbers in seconds,
/// <c>infinity</c> (null). Units: us, ms, s, min (m), h, d, w, M (30.44 d), y (365.25 d) and their long forms.
/// </summary>
public static class UnitTimeSpan
{
    private static readonly (string Name, double Micros)[] Units =
    [
        ("seconds", 1e6), ("second", 1e6), ("sec", 1e6), ("s", 1e6),
        ("minutes", 60e6), ("minute", 60e6), ("min", 60e6),
        ("months", 2629800e6), ("month", 2629800e6), ("M", 2629800e6),
        ("msec", 1e3), ("ms", 1e3), ("m", 60e6),
        ("hours", 3600e6), ("hour", 3600e6), ("hr", 3600e6), ("h", 3600e6),
        ("days", 86400e6), ("day", 86400e6), ("d", 86400e6),
        ("weeks", 604800e6), ("week", 604800e6), ("w", 604800e6),
        ("years", 31557600e6), ("year", 31557600e6), ("y", 31557600e6),
        ("usec", 1), ("us", 1), ("µs", 1), ("μs", 1),
    ];

    /// <summary>The longest finite span accepted (as <see cref="Volt.Core.Config.DurationParser.Max"/>): 100 years.</summary>
    public static readonly TimeSpan Max = Volt.Core.Config.DurationParser.Max;

    /// <summary>Parses a span; null for <c>infinity</c>. Throws <see cref="FormatException"/> with systemd-like words.</summary>
    public static TimeSpan? Parse(string text) => TryParse(text, out var v, out var error) ? v : throw new FormatException(error);

    public static bool TryParse(string text, out TimeSpan? value, out string? error)
    {
        value = null;
        error = null;
        var s = text.Trim(' ', '\t');
        if (s == "infinity") return true;
        if (s.Length == 0) { error = "empty time span"; return false; }
        double micros = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (start == i || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
            {
                error = $"invalid time span \"{text}\"";
                return false;
            }
            while (i < s.Length && s[i] is ' ' or '\t') i++;
            var factor = 1e6;
            foreach (var (name, m) in Units)
            {
                if (string.CompareOrdinal(s, i, name, 0, name.Length) != 0) continue;
                var end = i + name.Length;
                if (end < s.Length && char.IsLetter(s[end])) continue;
                factor = m;
                i = end;
                break;
            }
            if (i < s.Length && char.IsLetter(s[i])) { error = $"invalid time span \"{text}\": unknown unit"; return false; }
            micros += n * factor;
            if (micros > Max.TotalMicroseconds) { error = $"time span \"{text}\" is longer than 100 years"; return false; }
            while (i < s.Length && s[i] is ' ' or '\t') i++;
        }
        value = TimeSpan.FromMicroseconds(Math.Round(micros));
        return true;
    }

    /// <summary>systemd's rendering of a span in whole milliseconds (<c>1500ms</c>), which every parser reads exactly.</summary>
    public static string Format(TimeSpan span) => ((long)Math.Ceiling(span.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "ms";
}
