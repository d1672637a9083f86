namespace Volt.Units.Calendar;

/// <summary>systemd's calendar_spec_from_string (calendarspec.c, v252), step by step: zone suffix, shorthand or weekdays, date, time.</summary>
internal sealed class CalendarParser
{
    private const int MaxComponents = 240;
    private static readonly (string Name, int Day)[] DayNames =
    [
        ("Monday", 0), ("Mon", 0), ("Tuesday", 1), ("Tue", 1), ("Wednesday", 2), ("Wed", 2), ("Thursday", 3), ("Thu", 3),
        ("Friday", 4), ("Fri", 4), ("Saturday", 5), ("Sat", 5), ("Sunday", 6), ("Sun", 6),
    ];

    private readonly string _s;
    private int _p;
    private readonly CalendarFields _c = new();

    private CalendarParser(string s) => _s = s;

    private char At(int i) => i < _s.Length ? _s[i] : '\0';
    private char Cur => At(_p);

    public static CalendarFields Parse(string text)
    {
        var c = new CalendarFields();
        var body = text;
        if (body.EndsWith(" UTC", StringComparison.OrdinalIgnoreCase))
        {
            c.Utc = true;
            body = body[..^4];
        }
        else if (body.LastIndexOf(' ') is var sp and >= 0 && CalendarZones.IsValid(body[(sp + 1)..]))
        {
            c.TimeZone = body[(sp + 1)..];
            body = body[..sp];
        }
        if (body.Length == 0) throw new CalendarParseException(CalendarError.Invalid);
        var parser = new CalendarParser(body);
        parser._c.Utc = c.Utc;
        parser._c.TimeZone = c.TimeZone;
        parser.Run();
        parser._c.Normalize();
        if (!parser._c.Valid()) throw new CalendarParseException(CalendarError.Invalid);
        return parser._c;
    }

    private void Run()
    {
        if (Shorthand(_s.ToLowerInvariant())) return;
        Weekdays();
        if (!Date()) Time();
        if (_p != _s.Length) throw Invalid();
    }

    private bool Shorthand(string s)
    {
        var c = _c;
        void Midnight() { c.Hour = CalendarFields.Const(0); c.Minute = CalendarFields.Const(0); c.Second = CalendarFields.Const(0); }
        switch (s)
        {
            case "minutely": c.Second = CalendarFields.Const(0); return true;
            case "hourly": c.Minute = CalendarFields.Const(0); c.Second = CalendarFields.Const(0); return true;
            case "daily": Midnight(); return true;
            case "monthly": c.Day = CalendarFields.Const(1); Midnight(); return true;
            case "annually" or "yearly": c.Month = CalendarFields.Const(1); c.Day = CalendarFields.Const(1); Midnight(); return true;
            case "weekly": c.Weekdays = 1; Midnight(); return true;
            case "quarterly":
                c.Month = [.. new[] { 1, 4, 7, 10 }.Select(CalendarComponent.Value)]; c.Day = CalendarFields.Const(1); Midnight(); return true;
            case "biannually" or "bi-annually" or "semiannually" or "semi-annually":
                c.Month = [.. new[] { 1, 7 }.Select(CalendarComponent.Value)]; c.Day = CalendarFields.Const(1); Midnight(); return true;
            default: return false;
        }
    }

    private static CalendarParseException Invalid() => new(CalendarError.Invalid);

    private void SkipSpaces() { while (Cur == ' ') _p++; }

    private void Weekdays()
    {
        var l = -1;
        var first = true;
        while (true)
        {
            var found = -1;
            foreach (var (name, day) in DayNames)
            {
                if (string.Compare(_s, _p, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) != 0 || _p + name.Length > _s.Length) continue;
                if (At(_p + name.Length) is not ('\0' or '-' or '.' or ',' or ' ')) throw Invalid();
                _c.Weekdays = Math.Max(_c.Weekdays, 0) | (1 << day);
                if (l >= 0)
                {
                    if (l > day) throw Invalid();
                    for (var j = l + 1; j < day; j++) _c.Weekdays |= 1 << j;
                }
                _p += name.Length;
                found = day;
                break;
            }
            if (found < 0)
            {
                if (first) return;
                throw Invalid();
            }
            if (Cur == '\0') return;
            if (Cur == ' ') { SkipSpaces(); return; }
            if (Cur == '.')
            {
                if (l >= 0 || At(_p + 1) != '.') throw Invalid();
                l = found;
                _p += 2;
            }
            else if (Cur == '-')
            {
                if (l >= 0) throw Invalid();
                l = found;
                _p++;
            }
            else if (Cur == ',')
            {
                l = -1;
                _p++;
            }
            if (Cur is '\0' or ' ')
            {
                SkipSpaces();
                if (l >= 0) throw Invalid();
                return;
            }
            first = false;
        }
    }

    /// <summary>parse_date: returns true when the rest was an <c>@TIMESTAMP</c> (no time follows).</summary>
    private bool Date()
    {
        if (Cur == '\0') return false;
        if (Cur == '@')
        {
            if (!UnitTimeSpan.TryParse(_s[(_p + 1)..], out var span, out _) || span is null) throw Invalid();
            var t = DateTimeOffset.UnixEpoch + TimeSpan.FromSeconds(Math.Floor(span.Value.TotalSeconds));
            (_c.Year, _c.Month, _c.Day) = (CalendarFields.Const(t.Year), CalendarFields.Const(t.Month), CalendarFields.Const(t.Day));
            (_c.Hour, _c.Minute, _c.Second) = (CalendarFields.Const(t.Hour), CalendarFields.Const(t.Minute), CalendarFields.Const(t.Second * CalendarFields.UsecPerSec));
            _c.Utc = true;
            _p = _s.Length;
            return true;
        }
        var save = _p;
        var first = Chain(false);
        if (Cur is '\0' or ':') { _p = save; return false; }
        if (Cur == '~') _c.EndOfMonth = true;
        else if (Cur != '-') throw Invalid();
        _p++;
        var second = Chain(false);
        if (Cur is '\0' or ' ')
        {
            SkipSpaces();
            (_c.Month, _c.Day) = (first, second);
            return false;
        }
        if (_c.EndOfMonth) throw Invalid();
        if (Cur == '~') _c.EndOfMonth = true;
        else if (Cur != '-') throw Invalid();
        _p++;
        var third = Chain(false);
        if (Cur is not ('\0' or ' ')) throw Invalid();
        SkipSpaces();
        (_c.Year, _c.Month, _c.Day) = (first, second, third);
        return false;
    }

    private void Time()
    {
        if (Cur == '\0')
        {
            (_c.Hour, _c.Minute, _c.Second) = (CalendarFields.Const(0), CalendarFields.Const(0), CalendarFields.Const(0));
            return;
        }
        var h = Chain(false);
        if (Cur != ':') throw Invalid();
        _p++;
        var m = Chain(false);
        List<CalendarComponent>? s;
        if (Cur == '\0') s = CalendarFields.Const(0);
        else
        {
            if (Cur != ':') throw Invalid();
            _p++;
            s = Chain(true);
            if (Cur != '\0') throw Invalid();
        }
        (_c.Hour, _c.Minute, _c.Second) = (h, m, s);
    }

    private List<CalendarComponent>? Chain(bool usec)
    {
        if (Cur == '*')
        {
            _p++;
            return usec ? [new CalendarComponent(0, -1, CalendarFields.UsecPerSec)] : null;
        }
        var list = new List<CalendarComponent>();
        while (true)
        {
            if (list.Count > MaxComponents) throw new CalendarParseException(CalendarError.TooMany);
            list.Add(Component(usec));
            if (Cur != ',') return list;
            _p++;
        }
    }

    private CalendarComponent Component(bool usec)
    {
        var start = Decimal(usec);
        var stop = -1;
        var repeat = 0;
        if (Cur == '.' && At(_p + 1) == '.')
        {
            _p += 2;
            stop = Decimal(usec);
            repeat = usec ? CalendarFields.UsecPerSec : 1;
        }
        if (Cur == '/')
        {
            _p++;
            repeat = Decimal(usec);
            if (repeat == 0) throw new CalendarParseException(CalendarError.Range);
        }
        else
        {
            if (start > int.MaxValue - repeat) throw new CalendarParseException(CalendarError.Range);
            if (usec && stop >= 0 && start + repeat > stop) throw Invalid();
        }
        if (Cur is not ('\0' or ' ' or ',' or '-' or '~' or ':')) throw Invalid();
        return new CalendarComponent(start, stop, repeat);
    }

    /// <summary>parse_component_decimal: digits, and for seconds an optional fraction of up to six digits (rounded).</summary>
    private int Decimal(bool usec)
    {
        if (!char.IsAsciiDigit(Cur)) throw Invalid();
        ulong value = 0;
        while (char.IsAsciiDigit(Cur))
        {
            value = value * 10 + (ulong)(Cur - '0');
            if (value > int.MaxValue) throw new CalendarParseException(CalendarError.Range);
            _p++;
        }
        if (usec)
        {
            value *= CalendarFields.UsecPerSec;
            if (Cur == '.' && At(_p + 1) != '.')
            {
                _p++;
                value += Fraction();
            }
        }
        if (value > int.MaxValue) throw new CalendarParseException(CalendarError.Range);
        return (int)value;
    }

    private uint Fraction()
    {
        uint val = 0;
        var i = 0;
        for (; i < 6; i++, _p++)
        {
            if (!char.IsAsciiDigit(Cur))
            {
                if (i == 0) throw Invalid();
                for (; i < 6; i++) val *= 10;
                break;
            }
            val = val * 10 + (uint)(Cur - '0');
        }
        if (Cur is >= '5' and <= '9') val++;
        while (char.IsAsciiDigit(Cur)) _p++;
        return val;
    }
}
