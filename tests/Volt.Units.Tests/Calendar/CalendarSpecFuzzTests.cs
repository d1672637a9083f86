using Shouldly;
using Volt.Core.Errors;
using Volt.Units.Calendar;
using Xunit;

namespace Volt.Units.Tests.Calendar;

public sealed class CalendarSpecFuzzTests
{
    private static readonly string[] Pieces =
    [
        "*", "-", "~", ":", ",", "..", ".", "/", " ", "0", "1", "7", "12", "29", "31", "59", "60", "99", "2026", "1970", "2199",
        "Mon", "Fri", "Sunday", "UTC", "Europe/Berlin", "daily", "@", "@1700000000", "9999999999", "\0", "é",
    ];

    [Fact]
    public void RandomExpressions_ParseOrFailWithUsage_AndParsedOnesComputeElapses()
    {
        var random = new Random(2026);
        var parsed = 0;
        for (var round = 0; round < 5000; round++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 9)).Select(_ => Pieces[random.Next(Pieces.Length)]));
            CalendarSpec spec;
            try { spec = CalendarSpec.Parse(text); }
            catch (VoltException e)
            {
                e.Code.ShouldBe(ExitCode.Usage);
                e.Message.ShouldStartWith($"Failed to parse calendar specification '{text}': ");
                continue;
            }
            parsed++;
            CalendarSpec.Parse(spec.Normalized).Normalized.ShouldBe(spec.Normalized, text);
            var at = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
            for (var i = 0; i < 3 && spec.NextAfter(at, TimeZoneInfo.Utc) is { } next; i++)
            {
                next.ShouldBeGreaterThan(at, text);
                at = next;
            }
        }
        parsed.ShouldBeGreaterThan(50);
    }
}
