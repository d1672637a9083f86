namespace Volt.Units.Calendar;

/// <summary>
/// One element of a calendar field list (systemd's CalendarComponent): a value, or a range <c>start..stop</c>, with
/// an optional repetition <c>/repeat</c>. Stop is -1 without a range. Seconds are held in microseconds.
/// </summary>
internal readonly record struct CalendarComponent(int Start, int Stop, int Repeat) : IComparable<CalendarComponent>
{
    public static CalendarComponent Value(int v) => new(v, -1, 0);

    public int CompareTo(CalendarComponent other)
    {
        var r = Start.CompareTo(other.Start);
        if (r != 0) return r;
        r = Stop.CompareTo(other.Stop);
        return r != 0 ? r : Repeat.CompareTo(other.Repeat);
    }
}

/// <summary>The errno systemd reports a parse failure with, and its strerror text.</summary>
internal enum CalendarError { Invalid, Range, TooMany }

internal sealed class CalendarParseException(CalendarError error) : Exception(error.ToString())
{
    public CalendarError Error { get; } = error;

    public string Strerror => Error switch
    {
        CalendarError.Range => "Numerical result out of range",
        CalendarError.TooMany => "No buffer space available",
        _ => "Invalid argument",
    };
}
