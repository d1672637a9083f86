namespace Volt.Units.Calendar;

/// <summary>The parsed fields of a calendar event; a null field is <c>*</c>. Weekdays: bit 0 Monday … bit 6 Sunday, -1 any.</summary>
internal sealed class CalendarFields
{
    public const int UsecPerSec = 1_000_000;
    public const int AllWeekdays = 127;

    public int Weekdays = -1;
    public bool EndOfMonth;
    public bool Utc;
    public string? TimeZone;
    public List<CalendarComponent>? Year, Month, Day, Hour, Minute, Second;

    public static List<CalendarComponent> Const(int v) => [CalendarComponent.Value(v)];

    /// <summary>calendar_spec_normalize: weekday set, two-digit years, ranges trimmed to their last repetition, sorted, unique.</summary>
    public void Normalize()
    {
        if (Weekdays <= 0 || Weekdays >= AllWeekdays) Weekdays = -1;
        if (EndOfMonth && Day is null) EndOfMonth = false;
        if (Year is not null)
            for (var i = 0; i < Year.Count; i++) Year[i] = Year[i] with { Start = FixYear(Year[i].Start), Stop = FixYear(Year[i].Stop) };
        Year = Chain(Year); Month = Chain(Month); Day = Chain(Day); Hour = Chain(Hour); Minute = Chain(Minute); Second = Chain(Second);
    }

    private static int FixYear(int y) => y switch { >= 0 and < 70 => y + 2000, >= 70 and < 100 => y + 1900, _ => y };

    private static List<CalendarComponent>? Chain(List<CalendarComponent>? c)
    {
        if (c is null) return null;
        for (var i = 0; i < c.Count; i++)
        {
            var x = c[i];
            if (x.Stop > x.Start && x.Repeat > 0) x = x with { Stop = x.Stop - (x.Stop - x.Start) % x.Repeat };
            if ((x.Stop > x.Start && x.Start + x.Repeat > x.Stop) || x.Start == x.Stop) x = x with { Repeat = 0, Stop = -1 };
            c[i] = x;
        }
        c.Sort();
        var unique = new List<CalendarComponent>(c.Count);
        foreach (var x in c) if (unique.Count == 0 || unique[^1].CompareTo(x) != 0) unique.Add(x);
        return unique;
    }

    /// <summary>calendar_spec_valid.</summary>
    public bool Valid() =>
        Weekdays <= AllWeekdays
        && ChainValid(Year, 1970, 2199, false) && ChainValid(Month, 1, 12, false) && ChainValid(Day, 1, 31, EndOfMonth)
        && ChainValid(Hour, 0, 23, false) && ChainValid(Minute, 0, 59, false) && ChainValid(Second, 0, 60 * UsecPerSec - 1, false);

    private static bool ChainValid(List<CalendarComponent>? chain, int from, int to, bool endOfMonth)
    {
        if (chain is null) return true;
        foreach (var c in chain)
        {
            if (c.Start < from || c.Start > to) return false;
            if (c.Repeat > to - from) return false;
            if (c.Stop >= 0)
            {
                if (c.Stop < from || c.Stop > to) return false;
                if ((long)c.Start + c.Repeat > c.Stop) return false;
            }
            else
            {
                if (endOfMonth && c.Start - c.Repeat < from) return false;
                if (!endOfMonth && (long)c.Start + c.Repeat > to) return false;
            }
        }
        return true;
    }
}
