using Shouldly;
using Xunit;

namespace Volt.Units.Tests.Values;

public sealed class UnitCommandTests
{
    [Theory]
    [InlineData("/bin/echo a\\tb", "a\tb")]
    [InlineData("/bin/echo \"a\\nb\"", "a\nb")]
    [InlineData("/bin/echo 'it''s'", "its")]
    [InlineData("/bin/echo x\"y z\"w", "xy zw")]
    [InlineData("/bin/echo \\x41\\101\\u00e9\\U0001F600", "AAé😀")]
    [InlineData("/bin/echo a\\sb", "a b")]
    [InlineData("/bin/echo \\;", ";")]
    [InlineData("/bin/echo 50%%", "50%")]
    [InlineData("/bin/echo $$1 $ lone$", "$1")]
    public void Words_AreUnquotedAndUnescapedLikeSystemd(string line, string firstArg) =>
        UnitCommand.Parse(line).Args[0].ShouldBe(firstArg);

    [Fact]
    public void DashPrefix_MarksIgnoredFailure_AndBareNamesAreAllowed()
    {
        var c = UnitCommand.Parse("-sleep 5");
        (c.Path, c.IgnoreFailure).ShouldBe(("sleep", true));
        c.Argv.ShouldBe(["sleep", "5"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("--/bin/a")]
    [InlineData("@/bin/a argv0")]
    [InlineData("/bin/a \\")]
    [InlineData("/bin/a \\x4")]
    [InlineData("/bin/a \\x00")]
    [InlineData("/bin/a \\777")]
    [InlineData("/bin/a 'open")]
    [InlineData("/bin/a ${X}")]
    [InlineData("/bin/a %i")]
    [InlineData("/bin/a %")]
    [InlineData("/bin/$x")]
    public void Refused(string line) => Should.Throw<FormatException>(() => UnitCommand.Parse(line));

    [Fact]
    public void Quote_ThenParse_GivesBackTheSameArgv_ForRandomArguments()
    {
        var random = new Random(42);
        const string alphabet = "ab Z09 \t\n\"'\\$%;#=é😀\x01\x7f{}";
        for (var round = 0; round < 2000; round++)
        {
            var argv = new List<string> { "/usr/bin/prog" };
            for (var i = random.Next(0, 5); i > 0; i--)
            {
                var chars = new System.Text.StringBuilder();
                for (var n = random.Next(0, 8); n > 0; n--)
                {
                    var k = random.Next(alphabet.Length);
                    if (char.IsHighSurrogate(alphabet[k])) chars.Append(alphabet, k, 2);
                    else if (!char.IsLowSurrogate(alphabet[k])) chars.Append(alphabet[k]);
                }
                argv.Add(chars.ToString());
            }
            var line = UnitQuoting.CommandLine(argv);
            var unit = new UnitFileBuilder("p.service").Section("Service").Add("ExecStart", line).Build();
            ServiceUnit.From(unit).ExecStart.ShouldHaveSingleItem().Argv.ShouldBe(argv, line);
        }
    }

    [Fact]
    public void EnvironmentQuoting_RoundTripsThroughTheTypedView()
    {
        var value = "a b \"c\" 100% $HOME\\";
        var unit = new UnitFileBuilder("e.service").Section("Service").Add("ExecStart", "/bin/true")
            .Add("Environment", UnitQuoting.Environment("V", value)).Build();
        ServiceUnit.From(unit).Environment["V"].ShouldBe(value);
    }
}
