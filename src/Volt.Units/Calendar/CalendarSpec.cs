using Volt.Core.Errors;

namespace Volt.Units.Calendar;

/// <summary>
/// A calendar event in systemd.time(7) syntax, parsed exactly as systemd 252 does (<c>daily</c>, <c>Mon..Fri 09:00</c>,
/// <c>*-*-* 02:00:00</c>, <c>*:0/15</c>, <c>*-*~1</c>, <c>… UTC</c>, <c>… Europe/Berlin</c>). <see cref="Normalized"/> is
/// what <c>systemd-analyze calendar</c> prints; <see cref="NextAfter"/> its next elapse.
/// </summary>
public sealed class CalendarSpec
{
    private readonly CalendarFields _fields;

    private CalendarSpec(string original, CalendarFields fields)
    {
        Original = original;
        _fields = fields;
        Normalized = CalendarFormat.Format(fields);
    }

    public string Original { get; }

    /// <summary>The normalized form (<c>Mon..Fri *-*-* 09:00:00</c>).</summary>
    public string Normalized { get; }

    /// <summary>Whether the event is evaluated in UTC (a <c>UTC</c> suffix or <c>@TIMESTAMP</c>).</summary>
    public bool Utc => _fields.Utc;

    /// <summary>The zone named as the expression's suffix (<c>Europe/Berlin</c>), or null for UTC/local time.</summary>
    public string? TimeZone => _fields.TimeZone;

    /// <summary>Parses; a rejected expression throws exit 2 with systemd's words: <c>Failed to parse calendar specification 'X': Invalid argument</c>.</summary>
    public static CalendarSpec Parse(string text) =>
        TryParse(text, out var spec, out var error) ? spec : throw new VoltException(ExitCode.Usage, error!);

    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CalendarSpec? spec, out string? error)
    {
        try
        {
            spec = new CalendarSpec(text, CalendarParser.Parse(text));
            error = null;
            return true;
        }
        catch (CalendarParseException e)
        {
            spec = null;
            error = $"Failed to parse calendar specification '{text}': {e.Strerror}";
            return false;
        }
    }

    /// <summary>
    /// The first elapse strictly after <paramref name="after"/>, or null if the event never elapses again. Local time is
    /// <paramref name="local"/> (default: the host's zone); a UTC or zone suffix overrides it.
    /// </summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after, TimeZoneInfo? local = null)
    {
        var zone = _fields.Utc ? TimeZoneInfo.Utc : _fields.TimeZone is { } tz ? CalendarZones.Find(tz) : local ?? TimeZoneInfo.Local;
        return CalendarNext.After(_fields, after, zone);
    }

    public override string ToString() => Normalized;
}
