using Shouldly;
using Volt.Compose.Loading;

namespace Volt.Compose.Tests.Loading;

public sealed class InterpolatorTests
{
    private static readonly Dictionary<string, string> Vars = new() { ["A"] = "a", ["EMPTY"] = "" };
    private static string Apply(string s) => new Interpolator(k => Vars.GetValueOrDefault(k)).Apply(s);

    [Theory]
    [InlineData("$A", "a")]
    [InlineData("${A}", "a")]
    [InlineData("x${A}y$A.z", "xaya.z")]
    [InlineData("${UNSET:-d}", "d")]
    [InlineData("${EMPTY:-d}", "d")]
    [InlineData("${EMPTY-d}", "")]
    [InlineData("${UNSET-d}", "d")]
    [InlineData("${A:+alt}", "alt")]
    [InlineData("${UNSET:+alt}", "")]
    [InlineData("${UNSET:-${A}}", "a")]
    [InlineData("${UNSET:-${ALSO:-deep}}", "deep")]
    [InlineData("$$A", "$A")]
    [InlineData("$$(cat /run/secrets/x)", "$(cat /run/secrets/x)")]
    [InlineData("cost: 5$", "cost: 5$")]
    [InlineData("$UNSET", "")]
    public void Replaces_references_as_compose_does(string text, string expected) => Apply(text).ShouldBe(expected);

    [Fact]
    public void Required_variable_without_a_value_fails_with_its_message()
    {
        Should.Throw<InterpolationException>(() => Apply("${DB_PASS:?set DB_PASS first}")).Message.ShouldBe("required variable DB_PASS is missing a value: set DB_PASS first");
        Should.Throw<InterpolationException>(() => Apply("${EMPTY:?}")).Message.ShouldContain("EMPTY");
        Apply("${EMPTY?no}").ShouldBe("");
    }

    [Fact]
    public void Unclosed_brace_is_an_error() => Should.Throw<InterpolationException>(() => Apply("${A")).Message.ShouldContain("never closed");

    [Fact]
    public void Unset_variables_are_reported()
    {
        var i = new Interpolator(_ => null);
        i.Apply("$X ${Y} ${Z:-z}");
        i.Unset.ShouldBe(["X", "Y"]);
    }
}
