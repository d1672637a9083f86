using System.Globalization;
using Shouldly;
using Volt.Testing;
using Xunit;

namespace Volt.Units.Tests.Values;

/// <summary>Time spans are checked against the real <c>systemd-analyze timespan</c>.</summary>
public sealed class UnitTimeSpanTests
{
    [Theory]
    [InlineData("5min 20s")]
    [InlineData("5min20s")]
    [InlineData("100ms")]
    [InlineData("30")]
    [InlineData("1.5h")]
    [InlineData("2 weeks")]
    [InlineData("1M")]
    [InlineData("1y 2d")]
    [InlineData("3 hours 2 minutes")]
    [InlineData("500us")]
    [InlineData("1 sec")]
    [InlineData("0")]
    [InlineData("2h 30m")]
    [InlineData("7days")]
    [InlineData("1hr 1msec 1usec")]
    public void Parse_MatchesSystemdAnalyzeTimespan(string text)
    {
        TestEnv.RequireTool("systemd-analyze");
        var (code, stdout, stderr) = TestEnv.Run("systemd-analyze", "timespan", text);
        code.ShouldBe(0, stderr);
        var line = stdout.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("μs:", StringComparison.Ordinal));
        var micros = long.Parse(line[3..].Trim(), CultureInfo.InvariantCulture);
        UnitTimeSpan.Parse(text).ShouldBe(TimeSpan.FromMicroseconds(micros));
    }

    [Theory]
    [InlineData("5 parsecs")]
    [InlineData("min")]
    [InlineData("")]
    [InlineData("-5s")]
    [InlineData("5s!")]
    public void Parse_RejectsWhatSystemdRejects(string text)
    {
        TestEnv.RequireTool("systemd-analyze");
        TestEnv.Run("systemd-analyze", "timespan", text).Code.ShouldNotBe(0);
        Should.Throw<FormatException>(() => UnitTimeSpan.Parse(text));
    }

    [Fact]
    public void Infinity_IsNull() => UnitTimeSpan.Parse("infinity").ShouldBeNull();

    [Fact]
    public void MoreThanAHundredYears_IsRefused() => Should.Throw<FormatException>(() => UnitTimeSpan.Parse("101y"));

    [Fact]
    public void Format_WritesWholeMillisecondsThatParseBack()
    {
        UnitTimeSpan.Format(TimeSpan.FromSeconds(1.5)).ShouldBe("1500ms");
        UnitTimeSpan.Parse(UnitTimeSpan.Format(TimeSpan.FromMinutes(7))).ShouldBe(TimeSpan.FromMinutes(7));
    }
}
