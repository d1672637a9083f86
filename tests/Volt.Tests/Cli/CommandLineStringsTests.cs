using System.CommandLine;
using Shouldly;
using Volt.Cli;
using Xunit;

namespace Volt.Tests.Cli;

/// <summary>The binary presets System.CommandLine's strings (<see cref="CommandLineStrings"/>): they must be the library's own.</summary>
public sealed class CommandLineStringsTests
{
    [Fact]
    public void Every_preset_string_is_the_one_the_library_ships()
    {
        var strings = CommandLineStrings.ForTests();
        foreach (var (key, text) in CommandLineStrings.Preset)
            strings.Library.GetString(key).ShouldBe(text, key);
    }

    [Fact]
    public void A_string_not_preset_comes_from_the_library()
    {
        var strings = CommandLineStrings.ForTests();
        var set = strings.Library.GetResourceSet(System.Globalization.CultureInfo.InvariantCulture, true, true).ShouldNotBeNull();
        var others = set.Cast<System.Collections.DictionaryEntry>().Select(e => (string)e.Key).Where(k => !CommandLineStrings.Preset.ContainsKey(k)).ToList();
        others.ShouldNotBeEmpty();
        foreach (var key in others) strings.GetString(key).ShouldBe(strings.Library.GetString(key), key);
    }

    [Fact]
    public void The_preset_field_is_the_one_the_library_fills()
    {
        _ = new RootCommand("probe"); // reads the --help and --version descriptions through the library's manager
        CommandLineStrings.Current.ShouldNotBeNull();
    }

    [Fact]
    public void Help_and_version_descriptions_read_as_before()
    {
        var root = new RootCommand("probe");
        root.Options.Select(o => o.Description).ShouldContain(CommandLineStrings.Preset["HelpOptionDescription"]);
        root.Options.Select(o => o.Description).ShouldContain(CommandLineStrings.Preset["VersionOptionDescription"]);
    }
}
