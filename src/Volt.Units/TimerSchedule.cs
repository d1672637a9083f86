namespace Volt.Units;

/// <summary>
/// systemd.timer(5)'s next elapse, as timer_enter_waiting computes it: the earliest of every trigger, plus a random
/// delay in [0, RandomizedDelaySec).
/// <list type="bullet">
/// <item>OnCalendar: the next elapse after the last trigger (if known), else after the timer's activation; an elapse
/// already past means "now" — with Persistent=true that is the one catch-up run after downtime.</item>
/// <item>OnBootSec / OnActiveSec: once, after boot / activation; skipped when already past and the timer has fired.</item>
/// <item>OnUnitActiveSec / OnUnitInactiveSec: after the later of the unit's last activation (deactivation) and the
/// last trigger; nothing while neither happened.</item>
/// </list>
/// </summary>
internal static class TimerSchedule
{
    public static DateTimeOffset? Next(TimerUnit t, TimerState s, Random? random, TimeZoneInfo? local)
    {
        var activated = s.TimerActivated ?? s.BootTime;
        var lastTrigger = t.Persistent || s.LastTrigger >= activated ? s.LastTrigger : null;
        DateTimeOffset? best = null;
        void Consider(DateTimeOffset? at)
        {
            if (at is { } v && (best is null || v < best)) best = v;
        }

        foreach (var spec in t.OnCalendar)
        {
            var next = spec.NextAfter(lastTrigger ?? activated, local);
            if (next is { } n) Consider(n < s.Now ? s.Now : n);
        }
        Consider(OneShot(t.OnBootSec, s.BootTime, lastTrigger, s.Now));
        Consider(OneShot(t.OnActiveSec, activated, lastTrigger, s.Now));
        Consider(Relative(t.OnUnitActiveSec, s.LastUnitActivation, lastTrigger, s.Now));
        Consider(Relative(t.OnUnitInactiveSec, s.LastUnitDeactivation, lastTrigger, s.Now));
        if (best is null) return null;
        if (t.RandomizedDelaySec > TimeSpan.Zero)
            best = best.Value + TimeSpan.FromTicks((long)((random ?? Random.Shared).NextDouble() * t.RandomizedDelaySec.Ticks));
        return best;
    }

    private static DateTimeOffset? OneShot(TimeSpan? span, DateTimeOffset from, DateTimeOffset? lastTrigger, DateTimeOffset now)
    {
        if (span is not { } d) return null;
        var at = from + d;
        if (lastTrigger is not null && at < now) return null;
        return at < now ? now : at;
    }

    private static DateTimeOffset? Relative(TimeSpan? span, DateTimeOffset? unitEvent, DateTimeOffset? lastTrigger, DateTimeOffset now)
    {
        if (span is not { } d) return null;
        DateTimeOffset? b = unitEvent is null ? lastTrigger : lastTrigger is null ? unitEvent : (unitEvent > lastTrigger ? unitEvent : lastTrigger);
        if (b is not { } baseTime) return null;
        var at = baseTime + d;
        return at < now ? now : at;
    }
}
