using Shouldly;
using Volt.Images.Build.Containerfiles;
using Xunit;

namespace Volt.Images.Tests.Build;

public sealed class ShellWordsTests
{
    private static readonly Dictionary<string, string> Vars = new() { ["NAME"] = "volt", ["EMPTY"] = "", ["SP"] = "a b" };

    private static string? Look(string n) => Vars.TryGetValue(n, out var v) ? v : null;

    [Theory]
    [InlineData("$NAME", "volt")]
    [InlineData("${NAME}-x", "volt-x")]
    [InlineData("${MISSING:-dflt}", "dflt")]
    [InlineData("${EMPTY:-dflt}", "dflt")]
    [InlineData("${EMPTY-dflt}", "")]
    [InlineData("${NAME:+set}", "set")]
    [InlineData("${MISSING:+set}", "")]
    [InlineData("${MISSING:-${NAME}}", "volt")]
    [InlineData("'$NAME'", "$NAME")]
    [InlineData("\"$NAME here\"", "volt here")]
    [InlineData("\\$NAME", "$NAME")]
    [InlineData("$MISSING", "")]
    [InlineData("cost$", "cost$")]
    public void Word_ExpandsAsDockerfilesDo(string input, string expected) => ShellWords.Word(input, Look).ShouldBe(expected);

    [Fact]
    public void Words_SplitOnUnquotedWhitespace_NotOnExpandedValues()
    {
        ShellWords.Words("A=\"x y\" B=$SP 'c d'", Look).ShouldBe(["A=x y", "B=a b", "c d"]);
    }

    [Fact]
    public void Unterminated_Quote_IsAFormatError()
    {
        Should.Throw<FormatException>(() => ShellWords.Words("\"open", Look));
        Should.Throw<FormatException>(() => ShellWords.Word("${NAME", Look));
        Should.Throw<FormatException>(() => ShellWords.Word("${MISSING:?must be set}", Look)).Message.ShouldContain("must be set");
    }
}
