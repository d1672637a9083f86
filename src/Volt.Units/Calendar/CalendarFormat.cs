using System.Globalization;
using System.Text;

namespace Volt.Units.Calendar;

/// <summary>calendar_spec_to_string: the normalized form <c>systemd-analyze calendar</c> prints.</summary>
internal static class CalendarFormat
{
    private static readonly string[] Days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

    public static string Format(CalendarFields c)
    {
        var sb = new StringBuilder();
        if (c.Weekdays is > 0 and <= CalendarFields.AllWeekdays)
        {
            Weekdays(sb, c.Weekdays);
            sb.Append(' ');
        }
        Chain(sb, 4, c.Year, false);
        sb.Append('-');
        Chain(sb, 2, c.Month, false);
        sb.Append(c.EndOfMonth ? '~' : '-');
        Chain(sb, 2, c.Day, false);
        sb.Append(' ');
        Chain(sb, 2, c.Hour, false);
        sb.Append(':');
        Chain(sb, 2, c.Minute, false);
        sb.Append(':');
        Chain(sb, 2, c.Second, true);
        if (c.Utc) sb.Append(" UTC");
        else if (c.TimeZone is not null) sb.Append(' ').Append(c.TimeZone);
        return sb.ToString();
    }

    private static void Weekdays(StringBuilder sb, int bits)
    {
        var needComma = false;
        var l = -1;
        int x;
        for (x = 0; x < Days.Length; x++)
        {
            if ((bits & (1 << x)) != 0)
            {
                if (l < 0)
                {
                    if (needComma) sb.Append(','); else needComma = true;
                    sb.Append(Days[x]);
                    l = x;
                }
            }
            else if (l >= 0)
            {
                if (x > l + 1) sb.Append(x > l + 2 ? ".." : ",").Append(Days[x - 1]);
                l = -1;
            }
        }
        if (l >= 0 && x > l + 1) sb.Append(x > l + 2 ? ".." : ",").Append(Days[x - 1]);
    }

    private static void Chain(StringBuilder sb, int width, List<CalendarComponent>? chain, bool usec)
    {
        var d = usec ? CalendarFields.UsecPerSec : 1;
        if (chain is null) { sb.Append('*'); return; }
        if (usec && chain.Count == 1 && chain[0].Start == 0 && chain[0].Repeat == CalendarFields.UsecPerSec && chain[0].Stop < 0) { sb.Append('*'); return; }
        for (var i = 0; i < chain.Count; i++)
        {
            var c = chain[i];
            if (i > 0) sb.Append(',');
            sb.Append(Pad(c.Start / d, width));
            if (usec && c.Start % d > 0) sb.Append('.').Append(Pad(c.Start % d, 6));
            if (c.Stop > 0) sb.Append("..").Append(Pad(c.Stop / d, width));
            if (usec && c.Stop % d > 0) sb.Append('.').Append(Pad(c.Stop % d, 6));
            if (c.Repeat > 0 && !(c.Stop > 0 && c.Repeat == d)) sb.Append('/').Append((c.Repeat / d).ToString(CultureInfo.InvariantCulture));
            if (usec && c.Repeat % d > 0) sb.Append('.').Append(Pad(c.Repeat % d, 6));
        }
    }

    private static string Pad(int v, int width) => v.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
}
