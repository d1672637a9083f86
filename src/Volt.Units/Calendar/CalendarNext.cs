namespace Volt.Units.Calendar;

/// <summary>
/// systemd's find_next over a broken-down wall-clock time (struct tm with 0-based month), normalised like mktime in
/// the spec's zone; a field that does not survive normalisation (Feb 30, a time in a DST gap) is out of bounds.
/// </summary>
internal static class CalendarNext
{
    private const int MaxIterations = 1000;

    private struct Tm
    {
        public int Year, Mon, Mday, Hour, Min, Sec;
    }

    public static DateTimeOffset? After(CalendarFields spec, DateTimeOffset after, TimeZoneInfo zone)
    {
        var usec = (after.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) / 10;
        if (usec < 0 || after.UtcDateTime.Year >= 9999) return null;
        usec++;
        var instant = DateTimeOffset.UnixEpoch.AddTicks(usec / 1_000_000 * TimeSpan.TicksPerSecond);
        var wall = TimeZoneInfo.ConvertTime(instant, zone).DateTime;
        var tm = new Tm { Year = wall.Year, Mon = wall.Month - 1, Mday = wall.Day, Hour = wall.Hour, Min = wall.Minute, Sec = wall.Second };
        var tmUsec = (int)(usec % 1_000_000);
        if (!FindNext(spec, zone, ref tm, ref tmUsec)) return null;
        if (!ToUtc(tm, zone, out var utc, out _)) return null;
        return new DateTimeOffset(utc, TimeSpan.Zero).AddTicks(tmUsec * 10L);
    }

    private static bool FindNext(CalendarFields spec, TimeZoneInfo zone, ref Tm tm, ref int tmUsec)
    {
        var c = tm;
        var cu = tmUsec;
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            Normalize(ref c, zone);

            var r = Match(spec, spec.Year, c, zone, ref c.Year);
            if (r > 0) { c.Mon = 0; c.Mday = 1; c.Hour = c.Min = c.Sec = cu = 0; }
            if (r < 0 || OutOfBounds(c, zone)) return false;

            c.Mon++;
            r = Match(spec, spec.Month, c, zone, ref c.Mon);
            c.Mon--;
            if (r > 0) { c.Mday = 1; c.Hour = c.Min = c.Sec = cu = 0; }
            if (r < 0 || OutOfBounds(c, zone)) { c.Year++; c.Mon = 0; c.Mday = 1; c.Hour = c.Min = c.Sec = cu = 0; continue; }

            r = Match(spec, spec.Day, c, zone, ref c.Mday);
            if (r > 0) { c.Hour = c.Min = c.Sec = cu = 0; }
            if (r < 0 || OutOfBounds(c, zone)) { c.Mon++; c.Mday = 1; c.Hour = c.Min = c.Sec = cu = 0; continue; }

            if (!MatchesWeekday(spec.Weekdays, c, zone)) { c.Mday++; c.Hour = c.Min = c.Sec = cu = 0; continue; }

            r = Match(spec, spec.Hour, c, zone, ref c.Hour);
            if (r > 0) { c.Min = c.Sec = cu = 0; }
            if (r < 0 || OutOfBounds(c, zone)) { c.Mday++; c.Hour = c.Min = c.Sec = cu = 0; continue; }

            r = Match(spec, spec.Minute, c, zone, ref c.Min);
            if (r > 0) { c.Sec = cu = 0; }
            if (r < 0 || OutOfBounds(c, zone)) { c.Hour++; c.Min = c.Sec = cu = 0; continue; }

            var sec = c.Sec * CalendarFields.UsecPerSec + cu;
            r = Match(spec, spec.Second, c, zone, ref sec);
            cu = sec % CalendarFields.UsecPerSec;
            c.Sec = sec / CalendarFields.UsecPerSec;
            if (r < 0 || OutOfBounds(c, zone)) { c.Min++; c.Sec = cu = 0; continue; }

            tm = c;
            tmUsec = cu;
            return true;
        }
        return false;
    }

    /// <summary>find_matching_component: the smallest listed value ≥ val; 1 when val changed, 0 when it matched, -1 when none.</summary>
    private static int Match(CalendarFields spec, List<CalendarComponent>? chain, Tm tm, TimeZoneInfo zone, ref int val)
    {
        if (chain is null) return 0;
        var d = -1;
        var set = false;
        foreach (var cc in chain)
        {
            int start = cc.Start, stop = cc.Stop;
            if (spec.EndOfMonth && ReferenceEquals(chain, spec.Day))
            {
                start = EndOfMonth(tm, zone, start);
                stop = EndOfMonth(tm, zone, stop);
                if (stop > 0) (start, stop) = (stop, start);
            }
            if (start >= val)
            {
                if (!set || start < d) { d = start; set = true; }
            }
            else if (cc.Repeat > 0)
            {
                var k = start + (long)cc.Repeat * ((val - start + cc.Repeat - 1) / cc.Repeat);
                if ((!set || k < d) && (stop < 0 || k <= stop)) { d = (int)k; set = true; }
            }
        }
        if (!set) return -1;
        var changed = val != d ? 1 : 0;
        val = d;
        return changed;
    }

    private static int EndOfMonth(Tm tm, TimeZoneInfo zone, int day)
    {
        var t = tm;
        t.Mon++;
        t.Mday = 1 - day;
        if (!Normalize(ref t, zone) || t.Mon != tm.Mon) return -1;
        return t.Mday;
    }

    private static bool MatchesWeekday(int bits, Tm tm, TimeZoneInfo zone)
    {
        if (bits < 0 || bits >= CalendarFields.AllWeekdays) return true;
        var t = tm;
        if (!Normalize(ref t, zone)) return false;
        var wday = (int)new DateTime(t.Year, t.Mon + 1, t.Mday).DayOfWeek;
        var k = wday == 0 ? 6 : wday - 1;
        return (bits & (1 << k)) != 0;
    }

    private static bool OutOfBounds(Tm tm, TimeZoneInfo zone)
    {
        var t = tm;
        if (!Normalize(ref t, zone)) return true;
        return t.Year != tm.Year || t.Mon != tm.Mon || t.Mday != tm.Mday || t.Hour != tm.Hour || t.Min != tm.Min || t.Sec != tm.Sec;
    }

    /// <summary>mktime: carries overflowing fields, then maps the wall time through the zone and back.</summary>
    private static bool Normalize(ref Tm tm, TimeZoneInfo zone)
    {
        if (!ToUtc(tm, zone, out var utc, out _)) return false;
        var wall = TimeZoneInfo.ConvertTimeFromUtc(utc, zone);
        tm = new Tm { Year = wall.Year, Mon = wall.Month - 1, Mday = wall.Day, Hour = wall.Hour, Min = wall.Minute, Sec = wall.Second };
        return true;
    }

    private static bool ToUtc(Tm tm, TimeZoneInfo zone, out DateTime utc, out DateTime wall)
    {
        utc = wall = default;
        var year = tm.Year + Math.DivRem(tm.Mon, 12, out var mon) - (tm.Mon % 12 < 0 ? 1 : 0);
        if (mon < 0) mon += 12;
        if (year is < 1970 or > 9000) return false;
        wall = new DateTime(year, mon + 1, 1, 0, 0, 0, DateTimeKind.Unspecified)
            .AddDays(tm.Mday - 1).AddHours(tm.Hour).AddMinutes(tm.Min).AddSeconds(tm.Sec);
        // A wall time that occurs twice (the hour the clocks go back) means its first occurrence, as glibc's mktime
        // gives systemd; the repeated hour is then never scheduled.
        var offset = zone.IsAmbiguousTime(wall) ? zone.GetAmbiguousTimeOffsets(wall).Max() : zone.GetUtcOffset(wall);
        utc = DateTime.SpecifyKind(wall - offset, DateTimeKind.Utc);
        return true;
    }
}
