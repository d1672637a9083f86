using Shouldly;
using Volt.Compose.Loading;

namespace Volt.Compose.Tests.Loading;

public sealed class DotEnvTests
{
    [Fact]
    public void Reads_quotes_comments_export_and_bare_keys()
    {
        var vars = DotEnv.Parse("""
            # comment
            A=1
            export B = two words # trailing
            C='single # kept $X'
            D="line\nnext \"q\""
            E=
            FROM_ENV
            MISSING_ENV
            """, k => k == "FROM_ENV" ? "env" : null).ToDictionary();
        vars.ShouldBe(new Dictionary<string, string?>
        {
            ["A"] = "1", ["B"] = "two words", ["C"] = "single # kept $X", ["D"] = "line\nnext \"q\"", ["E"] = "", ["FROM_ENV"] = "env",
        });
    }

    [Fact]
    public void Malformed_line_names_its_number() =>
        Should.Throw<FormatException>(() => DotEnv.Parse("A=1\nbad key=2")).Message.ShouldStartWith("line 2:");

    [Fact]
    public void Unclosed_quote_is_an_error() =>
        Should.Throw<FormatException>(() => DotEnv.Parse("A=\"open")).Message.ShouldContain("never closed");
}
