using Shouldly;
using Xunit;

namespace Volt.Units.Tests.Values;

public sealed class UnitValuesTests
{
    [Theory]
    [InlineData("1024", 1024L)]
    [InlineData("512K", 512L << 10)]
    [InlineData("256M", 256L << 20)]
    [InlineData("1.5G", 3L << 29)]
    [InlineData("2T", 2L << 40)]
    [InlineData("infinity", null)]
    public void Size_Uses1024BasedSuffixes(string text, long? bytes) => UnitValues.Size(text).ShouldBe(bytes);

    [Theory]
    [InlineData("12Q")]
    [InlineData("M")]
    [InlineData("-1")]
    [InlineData("20%")]
    [InlineData("99999999E")]
    public void Size_RefusesOtherForms(string text) => Should.Throw<FormatException>(() => UnitValues.Size(text));

    [Theory]
    [InlineData("yes", true)] [InlineData("on", true)] [InlineData("1", true)] [InlineData("TRUE", true)]
    [InlineData("no", false)] [InlineData("off", false)] [InlineData("0", false)] [InlineData("f", false)]
    public void Boolean_TakesSystemdsWords(string text, bool value) => UnitValues.Boolean(text).ShouldBe(value);

    [Fact]
    public void Signals_ByNameOrNumber()
    {
        (UnitValues.Signal("SIGTERM"), UnitValues.Signal("KILL"), UnitValues.Signal("10")).ShouldBe((15, 9, 10));
        UnitValues.SignalName(2).ShouldBe("SIGINT");
    }

    [Fact]
    public void Percent_AndCount()
    {
        UnitValues.Percent("250%").ShouldBe(250);
        Should.Throw<FormatException>(() => UnitValues.Percent("12.5%"));
        UnitValues.Count("infinity").ShouldBeNull();
        UnitValues.Count("4096").ShouldBe(4096);
    }
}
