using System.Text.RegularExpressions;
using Shouldly;
using Volt.Core.Errors;
using Volt.Core.Naming;
using Xunit;

namespace Volt.Core.Tests.Naming;

public sealed class HumanNameTests
{
    [Theory]
    [InlineData("web", true)]
    [InlineData("0", true)]
    [InlineData("a_b.c-d9", true)]
    [InlineData("", false)]
    [InlineData("Web", false)]
    [InlineData("-web", false)]
    [InlineData("_web", false)]
    [InlineData(".web", false)]
    [InlineData("web/x", false)]
    [InlineData("web x", false)]
    [InlineData("wéb", false)]
    [InlineData("web\n", false)]
    [InlineData("volt-vm@web", false)]
    public void IsValid_AcceptsOnlyLowercaseAlnumStartThenAlnumUnderscoreDotDash(string name, bool valid) =>
        HumanName.IsValid(name).ShouldBe(valid);

    [Fact]
    public void IsValid_AcceptsSixtyThreeCharacters_RefusesSixtyFour()
    {
        HumanName.IsValid(new string('a', 63)).ShouldBeTrue();
        HumanName.IsValid(new string('a', 64)).ShouldBeFalse();
    }

    [Fact]
    public void IsValid_AgreesWithTheRegexItReplaced_OnEveryShortString()
    {
        // The pattern the five kinds declared before (anchored with \z: a trailing newline is not a name).
        var regex = new Regex(@"^[a-z0-9][a-z0-9_.-]{0,62}\z", RegexOptions.CultureInvariant);
        const string alphabet = "az09_.-A@ \n/é";
        foreach (var a in alphabet)
        foreach (var b in alphabet)
        foreach (var c in alphabet)
        {
            var s = new string([a, b, c]);
            HumanName.IsValid(s).ShouldBe(regex.IsMatch(s), s);
            var first = a.ToString();
            HumanName.IsValid(first).ShouldBe(regex.IsMatch(first), first);
        }
    }

    [Fact]
    public void Validate_AnInvalidName_IsAUsageErrorNamingKindAndName()
    {
        var e = Should.Throw<VoltException>(() => HumanName.Validate("Bad", "container"));
        e.Code.ShouldBe(ExitCode.Usage);
        e.Message.ShouldBe("invalid container name \"Bad\": use 1-63 of a-z 0-9 _ . - starting with a letter or digit");
        HumanName.Validate("good", "task").ShouldBe("good");
        HumanName.Invalid("x@y", "service", "(not volt-task-)").Message.ShouldEndWith("letter or digit (not volt-task-)");
    }
}
