using Shouldly;
using Volt.Core.Errors;
using Volt.Units.Calendar;
using Xunit;

namespace Volt.Units.Tests.Calendar;

/// <summary>Every expression is checked against the real <c>systemd-analyze calendar --iterations=5</c> from the same base time.</summary>
public sealed class CalendarSpecSystemdTests
{
    // A Tuesday, mid-second, so fractions and "strictly after" both matter.
    private static readonly DateTimeOffset Base = new(2026, 12, 1, 12, 34, 56, 789, TimeSpan.Zero);

    public static TheoryData<string> Valid =>
    [
        "minutely", "hourly", "daily", "monthly", "weekly", "yearly", "annually", "quarterly", "semiannually", "semi-annually",
        "bi-annually", "DAILY", "Mon..Fri 09:00", "Sat,Sun 10:00", "Mon,Wed..Fri,Sun", "Mon-Wed", "mon 1:2", "Monday 12:00",
        "Mon..Sun", "Mon,", "Fri *-*-13", "Sat *-*-1..7 18:00:00", "*-*-* 02:00:00", "*:0/15", "*:*:0/2", "*-*-* *:*:0/2",
        "*:*:1.5", "*:*:0/0.5", "*:*:0..1", "*:5..6", "*:5..5", "*:5..7/3", "*:0..10/3,20", "12..14:00", "*-*-* 00/2:00",
        "03:00", "4:*:30", "*:59", "*-*~1", "*-02~03", "*-*~07/1", "*-*~1..3", "2027-*-* 00:00", "2026-12-24 18:00",
        "24-12-25", "1..3-1", "*-*-1,15 *:00", "*-*-1,15,1 *:00", "*-02-29", "*-02-29 00:00/30", "2026..2030/2-1-1",
        "Mon..Fri 09:00 UTC", "hourly utc", "weekly UTC", "daily Europe/Berlin", "Mon 08:00 America/New_York",
        "@1700000000", "*-*-* *:*:07.25", "*:*:0/7.5", "Thu,Fri 22..23:0/20",
    ];

    public static TheoryData<string> Invalid =>
    [
        "bogus", "*/2", "*:59/15", "*:6..5", "*-*-* 24:00", "Mon..", "Fri..Mon", "", "  daily  ", "*:*:59.9999999", "*:0/0",
        "*:99999999999", "Mon,,Tue", "*:*:1.", "1-1-1-1", "*-*~1-1", "Mon Tue", "2026-13-01", "daily Mars/Olympus",
        "Mond 10:00", "*-*-* 10:00:00:00", "*:*:0.5..0.7", "1969-01-01", "2200-01-01", "* *", "*:*:*:", "@", "@x", "2026-2030/2-1-1",
    ];

    [Theory]
    [MemberData(nameof(Valid))]
    public void NormalizedFormAndFiveElapses_MatchSystemdAnalyze(string expression)
    {
        var systemd = SystemdCalendar.Run(expression, Base);
        systemd.Error.ShouldBeNull();
        var spec = CalendarSpec.Parse(expression);
        spec.Normalized.ShouldBe(systemd.Normalized);
        Elapses(spec, Base, TimeZoneInfo.Utc, 5).ShouldBe(systemd.Elapses);
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void RejectedExpression_ExitsUsageWithSystemdsWords(string expression)
    {
        var systemd = SystemdCalendar.Run(expression, Base);
        systemd.Error.ShouldNotBeNull();
        var e = Should.Throw<VoltException>(() => CalendarSpec.Parse(expression));
        e.Code.ShouldBe(ExitCode.Usage);
        e.Message.ShouldBe(systemd.Error!.Split('\n')[0]);
    }

    [Theory]
    [InlineData("daily", "2026-03-28T22:30:15Z")]
    [InlineData("*-*-* 02:30", "2026-03-28T22:30:15Z")]
    [InlineData("*:0/20", "2026-03-29T00:30:00Z")]
    [InlineData("Mon..Fri 09:00", "2026-03-27T10:00:00Z")]
    [InlineData("*-*-* 02:30", "2026-10-24T22:00:00Z")]
    [InlineData("hourly", "2026-10-25T00:10:00Z")]
    [InlineData("*:0/20", "2026-10-24T23:50:00Z")]
    [InlineData("daily UTC", "2026-10-24T20:00:00Z")]
    public void LocalZoneAcrossDaylightSaving_MatchesSystemdAnalyze(string expression, string baseTime)
    {
        var at = DateTimeOffset.Parse(baseTime, System.Globalization.CultureInfo.InvariantCulture);
        var systemd = SystemdCalendar.Run(expression, at, tz: "Europe/Berlin");
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var spec = CalendarSpec.Parse(expression);
        spec.Normalized.ShouldBe(systemd.Normalized);
        Elapses(spec, at, berlin, 5).ShouldBe(systemd.Elapses);
    }

    /// <summary>Each elapse after the previous one, in whole seconds as systemd-analyze prints them.</summary>
    private static List<DateTimeOffset> Elapses(CalendarSpec spec, DateTimeOffset from, TimeZoneInfo local, int n)
    {
        var result = new List<DateTimeOffset>();
        var at = from;
        for (var i = 0; i < n; i++)
        {
            if (spec.NextAfter(at, local) is not { } next) break;
            result.Add(new DateTimeOffset(next.UtcTicks - next.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero));
            at = next;
        }
        return result;
    }
}
