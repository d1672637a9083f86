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
        e.Message.ShouldContain("5 errors");
        e.Message.ShouldContain("line 1: output is \"xml\"");
        e.Message.ShouldContain("line 2: unknown key \"colour\"");
        e.Message.ShouldContain("line 4: cas.gc_grace is \"soon\"");
        e.Message.ShouldContain("line 6: registry.port is \"70000\"");
        e.Message.ShouldContain("tls_cert and registry.tls_key must be set together");
    }

    [Fact]
    public void Parse_BrokenYaml_IsInvalidConfigWithLine()
    {
        var e = Should.Throw<VoltException>(() => ConfigLoader.Parse("output: [table\n", "cfg.yaml"));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Message.ShouldContain("line");
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
    public void DurationParser_RejectsGarbage(string text) => DurationParser.TryParse(text, out _).ShouldBeFalse();
}
