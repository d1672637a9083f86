using Volt.Units.Calendar;

namespace Volt.Units;

/// <summary>
/// What a timer knows when it computes its next elapse (systemd.timer(5)): the clock, when the machine (or voltd,
/// where it stands in for the boot) started, when this timer was activated, and the triggered unit's last transitions.
/// </summary>
/// <param name="LastTrigger">The last time the timer fired. For Persistent=true the stamp kept across restarts;
/// otherwise a trigger before <paramref name="TimerActivated"/> is ignored, as systemd keeps it in memory only.</param>
public sealed record TimerState(
    DateTimeOffset Now,
    DateTimeOffset BootTime,
    DateTimeOffset? LastTrigger = null,
    DateTimeOffset? TimerActivated = null,
    DateTimeOffset? LastUnitActivation = null,
    DateTimeOffset? LastUnitDeactivation = null);

/// <summary>The <c>.timer</c> unit as voltd schedules it.</summary>
public sealed record TimerUnit
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<CalendarSpec> OnCalendar { get; init; } = [];
    public TimeSpan? OnBootSec { get; init; }
    public TimeSpan? OnActiveSec { get; init; }
    public TimeSpan? OnUnitActiveSec { get; init; }
    public TimeSpan? OnUnitInactiveSec { get; init; }
    public bool Persistent { get; init; }
    public TimeSpan RandomizedDelaySec { get; init; }

    /// <summary>systemd's coalescing window (default 1min); voltd fires on time and keeps it for systemd only.</summary>
    public TimeSpan AccuracySec { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The unit it starts: <c>Unit=</c>, else the timer's name with <c>.service</c>.</summary>
    public required string Unit { get; init; }

    public IReadOnlyList<string> After { get; init; } = [];
    public IReadOnlyList<string> PartOf { get; init; } = [];
    public IReadOnlyList<string> WantedBy { get; init; } = [];

    public static TimerUnit From(UnitFile unit) => TimerUnitReader.Read(unit);

    /// <summary>The next elapse (see <see cref="TimerSchedule"/>); null when no trigger will fire again.</summary>
    public DateTimeOffset? NextElapse(TimerState state, Random? random = null, TimeZoneInfo? local = null) =>
        TimerSchedule.Next(this, state, random, local);

    /// <summary>The same with the state spelled out: now, last trigger, boot time, last activation of the triggered unit.</summary>
    public DateTimeOffset? NextElapse(DateTimeOffset now, DateTimeOffset? lastTrigger, DateTimeOffset bootTime,
        DateTimeOffset? lastUnitActivation, Random? random = null) =>
        NextElapse(new TimerState(now, bootTime, lastTrigger, null, lastUnitActivation), random);
}
