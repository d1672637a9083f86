using System.CommandLine;
using System.Text.Json.Nodes;
using Shouldly;
using Volt.Cli;
using Volt.Rendering;
using Volt.Testing;
using Xunit;

namespace Volt.Tests.Cli;

/// <summary>The global conventions every command inherits: exit codes, output formats, colour, config, help.</summary>
public sealed class ConventionsTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void UnknownCommand_ExitsWithUsage2()
    {
        var r = _cli.Run("frobnicate");
        r.Code.ShouldBe(2, r.ToString());
        r.Err.ShouldContain("frobnicate");
    }

    [Fact]
    public void UnknownFlag_ExitsWithUsage2AndPointsAtHelp()
    {
        var r = _cli.Run("cas", "status", "--bogus");
        r.Code.ShouldBe(2);
        r.Err.ShouldContain("volt cas status --help");
    }

    [Fact]
    public void GroupWithoutSubcommand_ExitsWithUsage2() => _cli.Run("cas").Code.ShouldBe(2);

    [Fact]
    public void InvalidOutputFlag_ExitsWithUsage2() => _cli.Run("cas", "status", "-o", "xml").Code.ShouldBe(2);

    [Fact]
    public void VoltOutputEnv_SetsTheDefaultFormat()
    {
        _cli.Env["VOLT_OUTPUT"] = "json";
        var r = _cli.Run("cas", "status");
        r.Code.ShouldBe(0);
        JsonNode.Parse(r.Out)!["objects"]!.GetValue<long>().ShouldBe(0);
    }

    [Fact]
    public void InvalidVoltOutputEnv_IsUsageErrorNamingTheVariable()
    {
        _cli.Env["VOLT_OUTPUT"] = "xml";
        var r = _cli.Run("cas", "status");
        r.Code.ShouldBe(2);
        r.Err.ShouldContain("VOLT_OUTPUT");
    }

    [Fact]
    public void YamlOutput_IsValidYamlOfTheSameData()
    {
        var r = _cli.Run("cas", "status", "-o", "yaml");
        r.Code.ShouldBe(0);
        r.Out.ShouldContain("objects: 0");
        r.Out.ShouldContain("dedup_ratio: 1");
    }

    [Fact]
    public void InvalidConfig_ExitsWith12ListingEveryError()
    {
        var cfg = _cli.Dir.Write("bad.yaml", "output: xml\nbogus: 1\n");
        _cli.Env["VOLT_CONFIG"] = cfg;
        var r = _cli.Run("cas", "status");
        r.Code.ShouldBe(12);
        r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe(
        [
            $"Error: invalid config {cfg}:1:9: output is \"xml\"; expected one of table, json, yaml",
            $"Error: invalid config {cfg}:2:1: unknown key \"bogus\" (known: output, color, supervisor, cas, registry, network, daemon, dns, ingress, build)",
        ]);
    }

    [Fact]
    public void ConfigUnderVoltRoot_IsTheDefaultConfig()
    {
        _cli.Dir.Write("root/etc/volt/config.yaml", "output: json\n");
        var r = _cli.Run("config", "show");
        r.Code.ShouldBe(0);
        JsonNode.Parse(r.Out)!["output"]!.GetValue<string>().ShouldBe("json");
    }

    [Fact]
    public void Debug_AddsAStackTraceToErrors()
    {
        _cli.Run("cas", "build", "/nonexistent").Err.ShouldNotContain("   at ");
        _cli.Run("cas", "build", "/nonexistent", "--debug").Err.ShouldContain("   at ");
        _cli.Env["VOLT_DEBUG"] = "1";
        _cli.Run("cas", "build", "/nonexistent").Err.ShouldContain("   at ");
    }

    [Fact]
    public void Color_AlwaysPaintsErrorsNeverAndNoColorDoNot()
    {
        _cli.Env["VOLT_COLOR"] = "always";
        _cli.Run("cas", "build", "/nonexistent").Err.ShouldContain("\u001b[");
        _cli.Env["VOLT_COLOR"] = "never";
        _cli.Run("cas", "build", "/nonexistent").Err.ShouldNotContain("\u001b[");
        _cli.Env.Remove("VOLT_COLOR");
        _cli.Env["NO_COLOR"] = "1";
        var tty = new TestConsole { IsOutputTerminal = true, IsErrorTerminal = true };
        _cli.Run(tty, "cas", "build", "/nonexistent").Err.ShouldNotContain("\u001b[");
    }

    [Fact]
    public void Help_EveryCommandHasADescriptionAndExamples()
    {
        var app = new VoltApp(new TestConsole(), VoltEnvironment.From(_cli.Env), TimeProvider.System);
        var missing = new List<string>();
        void Walk(Command c, string path)
        {
            var full = path.Length == 0 ? c.Name : $"{path} {c.Name}";
            if (string.IsNullOrWhiteSpace(c.Description)) missing.Add(full + " (description)");
            var examples = c switch { VoltCommand v => v.Examples, GroupCommand g => g.Examples, _ => ["root"] };
            if (examples.Length == 0) missing.Add(full + " (examples)");
            foreach (var sub in c.Subcommands) Walk(sub, full);
        }
        foreach (var c in app.Root.Subcommands) Walk(c, "volt");
        missing.ShouldBeEmpty();
    }

    [Fact]
    public void Help_PrintsExamplesSection()
    {
        var r = _cli.Run("cas", "build", "--help");
        r.Code.ShouldBe(0);
        r.Out.ShouldContain("Usage:");
        r.Out.ShouldContain("Examples:");
        r.Out.ShouldContain("volt cas build");
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _volt_complete volt")]
    [InlineData("zsh", "compdef _volt volt")]
    [InlineData("fish", "complete -c volt")]
    public void Completion_PrintsAScriptForEachShell(string shell, string expected) =>
        _cli.Run("completion", shell).Out.ShouldContain(expected);

    [Fact]
    public void Completion_UnknownShell_IsUsage2() => _cli.Run("completion", "powershell").Code.ShouldBe(2);

    [Fact]
    public void Version_ReportsVersionAsJson()
    {
        var r = _cli.Run("version", "-o", "json");
        r.Code.ShouldBe(0);
        JsonNode.Parse(r.Out)!["version"]!.GetValue<string>().ShouldNotBeNullOrEmpty();
    }
}
