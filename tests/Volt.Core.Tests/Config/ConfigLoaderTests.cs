using Xunit;
using Shouldly;
using Volt.Core.Config;
using Volt.Core.Errors;
using Volt.Testing;

namespace Volt.Core.Tests.Config;

public sealed class ConfigLoaderTests
{
    [Fact]
    public void Load_MissingDefaultFile_GivesDefaults()
    {
        var c = ConfigLoader.Load("/nonexistent/volt/config.yaml", mustExist: false);
        c.Output.ShouldBe("table");
        c.Registry.Port.ShouldBe(5000);
        c.Cas.GcGrace.ShouldBe(TimeSpan.FromMinutes(15));
    }

    [Fact]
    public void Load_MissingExplicitFile_IsInvalidConfig()
    {
        var e = Should.Throw<VoltException>(() => ConfigLoader.Load("/nonexistent/x.yaml", mustExist: true));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Message.ShouldContain("/nonexistent/x.yaml");
    }

    [Fact]
    public void Parse_ValidFile_BindsEveryKey()
    {
        var c = ConfigLoader.Parse("""
            output: json
            color: never
            supervisor: voltd
            cas:
              gc_grace: 1h30m
              parallelism: 3
            registry:
              listen: 0.0.0.0
              port: 5001
              anonymous_pull: false
              upload_expiry: 2d
            """, "test");
        c.Output.ShouldBe("json");
        c.Color.ShouldBe("never");
        c.Supervisor.ShouldBe("voltd");
        c.Cas.GcGrace.ShouldBe(TimeSpan.FromMinutes(90));
        c.Cas.Parallelism.ShouldBe(3);
        c.Registry.Listen.ShouldBe("0.0.0.0");
        c.Registry.Port.ShouldBe(5001);
        c.Registry.AnonymousPull.ShouldBeFalse();
        c.Registry.UploadExpiry.ShouldBe(TimeSpan.FromDays(2));
    }

    [Fact]
    public void Parse_SeveralErrors_ReportsAllOfThemAtOnceWithLines()
    {
        var e = Should.Throw<VoltException>(() => ConfigLoader.Parse("""
            output: xml
            colour: auto
            cas:
              gc_grace: soon
            registry:
              port: 70000
              tls_cert: /x.pem
            """, "cfg.yaml"));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        var problems = e.ShouldBeOfType<ConfigException>().Problems.Select(p => p.ToString()).ToList();
        problems.Count.ShouldBe(5);
        problems.ShouldContain("invalid config cfg.yaml:1:9: output is \"xml\"; expected one of table, json, yaml");
        problems.ShouldContain(p => p.StartsWith("invalid config cfg.yaml:2:1: unknown key \"colour\""));
        problems.ShouldContain(p => p.StartsWith("invalid config cfg.yaml:4:13: cas.gc_grace is \"soon\""));
        problems.ShouldContain(p => p.StartsWith("invalid config cfg.yaml:6:9: registry.port is \"70000\""));
        problems.ShouldContain("invalid config cfg.yaml:7:3: registry.tls_cert and registry.tls_key must be set together");
    }

    [Fact]
    public void Parse_BrokenYaml_IsInvalidConfigWithLine()
    {
        var e = Should.Throw<VoltException>(() => ConfigLoader.Parse("output: [table\n", "cfg.yaml"));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Message.ShouldStartWith("invalid config cfg.yaml:");
    }

    [Theory]
    [InlineData("output: [table\n", "cfg.yaml:2:1: ")]
    [InlineData("output: [table", "cfg.yaml:1:")]
    [InlineData("cas: {gc_grace: 15m\n", "cfg.yaml:2:1: ")]
    [InlineData("cas: {gc_grace: 15m", "cfg.yaml:1:")]
    [InlineData("x: 1\ncas: {gc_grace: 15m\n", "cfg.yaml:3:1: ")]
    [InlineData("output: [table\ncolor: never\n", "cfg.yaml:")]
    public void Parse_UnclosedFlowCollection_IsExit12WithLineAndColumn(string yaml, string position)
    {
        // YamlDotNet throws InvalidOperationException ("Operation is not valid due to the current state of the object")
        // for some of these; the position is where the parser noticed (the end of the text for an unclosed bracket).
        var e = Should.Throw<ConfigException>(() => ConfigLoader.Parse(yaml, "cfg.yaml"));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Message.ShouldContain(position);
        e.Message.ShouldMatch(@"^invalid config cfg\.yaml:\d+:\d+: \S");
        e.Message.ShouldNotContain("current state of the object");
    }

    [Fact]
    public void Parse_HugeDuration_IsExit12NotAnOverflow()
    {
        var e = Should.Throw<ConfigException>(() => ConfigLoader.Parse("cas:\n  gc_grace: 99999999999999999d\n", "cfg.yaml"));
        e.Message.ShouldBe("invalid config cfg.yaml:2:13: cas.gc_grace is \"99999999999999999d\"; expected a duration like 30s, 15m, 2h or 7d (at most 36500d)");
    }

    [Fact]
    public void Parse_NulByte_IsExit12AtItsPosition()
    {
        var e = Should.Throw<ConfigException>(() => ConfigLoader.Parse("color: never\noutput: ta\0ble\n", "cfg.yaml"));
        e.Message.ShouldBe("invalid config cfg.yaml:2:11: control character U+0000 is not allowed in YAML");
    }

    [Fact]
    public void Parse_DeepNesting_IsExit12NotAStackOverflow()
    {
        var e = Should.Throw<ConfigException>(() => ConfigLoader.Parse("output: " + new string('[', 100_000), "cfg.yaml"));
        e.Message.ShouldContain("nested deeper than 64 levels");
    }

    [Fact]
    public void Parse_EmptyFile_GivesDefaults() => ConfigLoader.Parse("", "empty").Output.ShouldBe("table");

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("15m", 900_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("7d", 604_800_000)]
    [InlineData("500ms", 500)]
    [InlineData("0", 0)]
    [InlineData("36500d", 3_153_600_000_000)]
    public void DurationParser_AcceptsOperatorUnits(string text, long ms)
    {
        DurationParser.TryParse(text, out var d).ShouldBeTrue();
        d.TotalMilliseconds.ShouldBe(ms);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("5y")]
    [InlineData("m")]
    [InlineData("99999999999d")]
    [InlineData("36501d")]
    [InlineData("1e5s")]
    [InlineData("-1s")]
    [InlineData("NaN")]
    public void DurationParser_RejectsGarbage(string text) => DurationParser.TryParse(text, out _).ShouldBeFalse();
}
