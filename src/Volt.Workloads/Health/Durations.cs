using System.Globalization;
using System.Text;
using Volt.Core.Errors;

namespace Volt.Workloads.Health;

/// <summary>Go-style durations as Docker's flags take them: <c>30s</c>, <c>1m30s</c>, <c>500ms</c>, <c>1.5h</c>.</summary>
public static class Durations
{
    public static TimeSpan Parse(string text, string option)
    {
        var t = text.Trim();
        double total = 0;
        var i = 0;
        while (i < t.Length)
        {
            var n = i;
            while (i < t.Length && (char.IsAsciiDigit(t[i]) || t[i] == '.')) i++;
            var u = i;
            while (i < t.Length && !char.IsAsciiDigit(t[i]) && t[i] != '.') i++;
            double ms = t[u..i] switch { "ns" => 1e-6, "us" or "µs" => 1e-3, "ms" => 1, "s" => 1000, "m" => 60_000, "h" => 3_600_000, _ => 0 };
            if (u == n || ms == 0 || !double.TryParse(t[n..u], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                throw VoltException.Usage($"invalid {option} \"{text}\": expected a duration such as 30s, 1m30s or 500ms");
            total += v * ms;
        }
        if (t.Length == 0) throw VoltException.Usage($"invalid {option} \"{text}\": expected a duration such as 30s, 1m30s or 500ms");
        return TimeSpan.FromMilliseconds(total);
    }

    /// <summary><c>30s</c>, <c>1m30s</c>, <c>500ms</c>, <c>0s</c>.</summary>
    public static string Format(TimeSpan d)
    {
        if (d < TimeSpan.FromSeconds(1) && d > TimeSpan.Zero) return ((long)d.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        var sb = new StringBuilder();
        if (d.TotalHours >= 1) sb.Append(((long)d.TotalHours).ToString(CultureInfo.InvariantCulture)).Append('h');
        if (d.Minutes > 0) sb.Append(d.Minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        var s = d.Seconds + d.Milliseconds / 1000.0;
        if (s > 0 || sb.Length == 0) sb.Append(s.ToString("0.###", CultureInfo.InvariantCulture)).Append('s');
        return sb.ToString();
    }
}
