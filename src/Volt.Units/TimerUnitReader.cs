using Volt.Units.Calendar;

namespace Volt.Units;

/// <summary>Builds a <see cref="TimerUnit"/> from [Unit], [Timer] and [Install].</summary>
internal static class TimerUnitReader
{
    public static TimerUnit Read(UnitFile unit)
    {
        var section = unit.Sections.FirstOrDefault(s => s.Name == "Timer")
            ?? throw new UnitFileException(unit.Path, 1, 1, "no [Timer] section");
        var u = new UnitReader(unit, "Unit");
        var t = new UnitReader(unit, "Timer");
        var i = new UnitReader(unit, "Install");
        var name = unit.Name;
        var timer = new TimerUnit
        {
            Name = name,
            Description = u.Text("Description"),
            After = u.Names("After"),
            PartOf = u.Names("PartOf"),
            WantedBy = i.Names("WantedBy"),
            OnCalendar = t.List("OnCalendar", v => new[] { Calendar(v) }),
            OnBootSec = t.Once("OnBootSec", Finite),
            OnActiveSec = t.Once("OnActiveSec", Finite),
            OnUnitActiveSec = t.Once("OnUnitActiveSec", Finite),
            OnUnitInactiveSec = t.Once("OnUnitInactiveSec", Finite),
            Persistent = t.One("Persistent", UnitValues.Boolean),
            RandomizedDelaySec = t.One("RandomizedDelaySec", Finite) ?? TimeSpan.Zero,
            AccuracySec = t.One("AccuracySec", Finite) ?? TimeSpan.FromMinutes(1),
            Unit = t.One("Unit", UnitName) ?? DefaultUnit(name),
        };
        if (timer.OnCalendar.Count == 0 && timer.OnBootSec is null && timer.OnActiveSec is null && timer.OnUnitActiveSec is null && timer.OnUnitInactiveSec is null)
            throw new UnitFileException(unit.Path, section.Line, 1, "[Timer] has no OnCalendar=, OnBootSec=, OnActiveSec=, OnUnitActiveSec= or OnUnitInactiveSec=");
        return timer;
    }

    private static CalendarSpec Calendar(string v) =>
        CalendarSpec.TryParse(v, out var spec, out var error) ? spec : throw new FormatException(error);

    private static TimeSpan? Finite(string v) => UnitTimeSpan.Parse(v) ?? throw new FormatException("infinity is not allowed here");

    private static string UnitName(string v)
    {
        var n = UnitSpecifiers.Expand(v);
        return n.EndsWith(".service", StringComparison.Ordinal) && !n.Contains('/') && n.Length > ".service".Length
            ? n : throw new FormatException($"\"{n}\" is not a .service unit name");
    }

    private static string DefaultUnit(string timerName) =>
        timerName.EndsWith(".timer", StringComparison.Ordinal) ? timerName[..^".timer".Length] + ".service" : timerName + ".service";
}
