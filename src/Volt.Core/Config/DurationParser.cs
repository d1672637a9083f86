using System.Globalization;

namespace Volt.Core.Config;

/// <summary>
/// The one duration syntax of Volt's flags, config and files: a sequence of number + unit as operators and Go (Docker's
/// flags, compose-spec) write them — <c>500ms</c>, <c>30s</c>, <c>1m30s</c>, <c>1.5h</c>, <c>7d</c>, <c>2w</c>, down to
/// <c>us</c>/<c>µs</c>/<c>ns</c>. Every duration is at most <see cref="Max"/> (100 years), so adding it to or subtracting
/// it from "now" never overflows a <see cref="DateTimeOffset"/> and no caller meets a <see cref="TimeSpan"/> overflow.
/// </summary>
public static class DurationParser
{
    /// <summary>The longest duration accepted anywhere: 36500 days.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(36500);

    /// <summary>What every duration error says is expected.</summary>
    public const string Expected = "expected a duration like 30s, 15m, 2h or 7d (at most 36500d)";

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var s = text.Trim();
        if (s.Length == 0) return false;
        if (s == "0") return true;
        var i = 0;
        var totalMs = 0.0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (start == i) return false;
            if (!double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return false;
            var unitStart = i;
            while (i < s.Length && (char.IsAsciiLetter(s[i]) || s[i] == 'µ')) i++;
            double ms = s.AsSpan(unitStart, i - unitStart) switch
            {
                "ns" => 1e-6, "us" or "µs" => 1e-3, "ms" => 1, "s" => 1000, "m" => 60_000, "h" => 3_600_000, "d" => 86_400_000,
                "w" => 604_800_000,
                _ => double.NaN,
            };
            if (double.IsNaN(ms)) return false;
            totalMs += number * ms;
            // Checked on the double, before any TimeSpan exists: 99999999999d must fail here, not overflow later.
            if (!double.IsFinite(totalMs) || totalMs > Max.TotalMilliseconds) return false;
        }
        value = TimeSpan.FromTicks((long)Math.Round(totalMs * TimeSpan.TicksPerMillisecond));
        return true;
    }

    public static TimeSpan Parse(string text, string what) =>
        TryParse(text, out var v) ? v : throw Errors.VoltException.Usage($"invalid {what} \"{text}\": {Expected}");

    /// <summary>The canonical text, as Go prints it: <c>1h2m3s</c>, <c>1m30s</c>, <c>1.5s</c>, <c>500ms</c>, <c>0s</c>.</summary>
    public static string Format(TimeSpan d)
    {
        if (d < TimeSpan.FromSeconds(1) && d > TimeSpan.Zero) return d.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";
        var sb = new System.Text.StringBuilder();
        if (d.TotalHours >= 1) sb.Append(((long)d.TotalHours).ToString(CultureInfo.InvariantCulture)).Append('h');
        if (d.Minutes > 0) sb.Append(d.Minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        var sec = d.Seconds + d.Milliseconds / 1000.0;
        if (sec > 0 || sb.Length == 0) sb.Append(sec.ToString("0.###", CultureInfo.InvariantCulture)).Append('s');
        return sb.ToString();
    }
}
