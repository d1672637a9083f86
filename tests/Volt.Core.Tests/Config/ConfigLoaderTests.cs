using System.Text.Json.Nodes;
using Xunit;
using Shouldly;
using Volt.Core.Config;
using Volt.Core.Errors;
using YamlDotNet.RepresentationModel;

namespace Volt.Core.Tests.Config;

/// <summary>
/// The loader's own rules (Core's keys, YAML errors, unknown keys, sections registered by engines). The engines'
/// sections have their tests beside them; the whole schema is tested in Volt.Composition.Tests.
/// </summary>
public sealed class ConfigLoaderTests
{
    /// <summary>A mapping section like most engines': <c>sample: {name: …, size: …}</c>.</summary>
    private sealed class SampleSection : ConfigSection
    {
        public override string Key => "sample";
        public string Name { get; set; } = "default";
        public int Size { get; set; } = 7;
        public TimeSpan Grace { get; set; } = TimeSpan.FromMinutes(1);

        public override JsonNode Show() => new JsonObject { ["name"] = Name, ["size"] = Size };
        public override void Bind(ConfigBinder b, YamlNode value) => b.Map(value, "sample.", new()
        {
            ["name"] = v => Name = b.Str(v, "sample.name") ?? Name,
            ["size"] = v => Size = b.Int(v, "sample.size", 1, 10) ?? Size,
            ["grace"] = v => Grace = b.Duration(v, "sample.grace") ?? Grace,
        });
    }

    /// <summary>A scalar section (like <c>supervisor:</c>).</summary>
    private sealed class ModeSection : ConfigSection
    {
        public override string Key => "mode";
        public string Value { get; set; } = "auto";
        public override JsonNode? Show() => JsonValue.Create(Value);
        public override void Bind(ConfigBinder b, YamlNode value) => Value = b.OneOf(value, "mode", ["auto", "manual"]) ?? Value;
    }

    /// <summary>A section with a rule across keys (like <c>registry.tls_cert</c>/<c>tls_key</c>).</summary>
    private sealed class PairSection : ConfigSection
    {
        public override string Key => "pair";
        public string? Left { get; set; }
        public string? Right { get; set; }

        public override JsonNode Show() => new JsonObject { ["left"] = Left, ["right"] = Right };
        public override void Bind(ConfigBinder b, YamlNode value) => b.Map(value, "pair.", new()
        {
            ["left"] = v => Left = b.Str(v, "pair.left"),
            ["right"] = v => Right = b.Str(v, "pair.right"),
        });

        public override void Validate(ConfigBinder b, YamlMappingNode root)
        {
            if ((Left is null) != (Right is null)) b.Add(b.Seen("pair.left") ?? b.Seen("pair.right") ?? root, "pair.left and pair.right must be set together");
        }
    }

    private static readonly ConfigSchema Schema = new ConfigSchema().Add<ModeSection>().Add<SampleSection>().Add<PairSection>();

    private static VoltConfig Parse(string text, string source = "cfg.yaml") => ConfigLoader.Parse(text, source, Schema);

    [Fact]
    public void Load_MissingDefaultFile_GivesDefaults()
    {
        var c = ConfigLoader.Load("/nonexistent/volt/config.yaml", mustExist: false, Schema);
        c.Output.ShouldBe("table");
        c.Color.ShouldBe("auto");
        c.Section<SampleSection>().Size.ShouldBe(7);
        c.Section<ModeSection>().Value.ShouldBe("auto");
    }

    [Fact]
    public void Load_MissingExplicitFile_IsInvalidConfig()
    {
        var e = Should.Throw<VoltException>(() => ConfigLoader.Load("/nonexistent/x.yaml", mustExist: true, Schema));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Message.ShouldContain("/nonexistent/x.yaml");
    }

    [Fact]
    public void Parse_ValidFile_BindsCoreKeysAndEverySection()
    {
        var c = Parse("""
            output: json
            color: never
            mode: manual
            sample:
              name: web
              size: 3
              grace: 1h30m
            pair:
              left: a
              right: b
            """);
        c.Output.ShouldBe("json");
        c.Color.ShouldBe("never");
        c.Section<ModeSection>().Value.ShouldBe("manual");
        c.Section<SampleSection>().Name.ShouldBe("web");
        c.Section<SampleSection>().Size.ShouldBe(3);
        c.Section<SampleSection>().Grace.ShouldBe(TimeSpan.FromMinutes(90));
        c.Section<PairSection>().Left.ShouldBe("a");
    }

    [Fact]
    public void Parse_SeveralErrors_ReportsAllOfThemAtOnceWithLines()
    {
        var e = Should.Throw<VoltException>(() => Parse("""
            output: xml
            colour: auto
            sample:
              grace: soon
              size: 70000
            pair:
              left: x
            """));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        var problems = e.ShouldBeOfType<ConfigException>().Problems.Select(p => p.ToString()).ToList();
        problems.ShouldBe(
        [
            "invalid config cfg.yaml:1:9: output is \"xml\"; expected one of table, json, yaml",
            "invalid config cfg.yaml:2:1: unknown key \"colour\" (known: output, color, mode, sample, pair)",
            "invalid config cfg.yaml:4:10: sample.grace is \"soon\"; expected a duration like 30s, 15m, 2h or 7d (at most 36500d)",
            "invalid config cfg.yaml:5:9: sample.size is \"70000\"; expected an integer from 1 to 10",
            "invalid config cfg.yaml:7:3: pair.left and pair.right must be set together",
        ]);
    }

    [Fact]
    public void Parse_UnknownKeyInASection_NamesItWithItsPrefixAndListsTheSectionsKeys()
    {
        var e = Should.Throw<ConfigException>(() => Parse("sample:\n  nmae: web\n"));
        e.Message.ShouldBe("invalid config cfg.yaml:2:3: unknown key \"sample.nmae\" (known: name, size, grace)");
    }

    [Fact]
    public void Parse_KeyOfASectionNotRegistered_IsUnknown()
    {
        var e = Should.Throw<ConfigException>(() => ConfigLoader.Parse("sample:\n  size: 3\n", "cfg.yaml", new ConfigSchema().Add<ModeSection>()));
        e.Message.ShouldBe("invalid config cfg.yaml:1:1: unknown key \"sample\" (known: output, color, mode)");
    }

    [Fact]
    public void Parse_SectionThatIsNotAMapping_IsAnError()
    {
        var e = Should.Throw<ConfigException>(() => Parse("sample: 7\n"));
        e.Message.ShouldBe("invalid config cfg.yaml:1:9: sample must be a mapping");
    }

    [Fact]
    public void Parse_EmptySection_GivesItsDefaults() => Parse("sample:\n").Section<SampleSection>().Size.ShouldBe(7);

    [Fact]
    public void Section_NotRegistered_GivesItsDefaults() => Parse("output: json\n", "cfg.yaml").Section<NotRegistered>().Value.ShouldBe(42);

    private sealed class NotRegistered : ConfigSection
    {
        public override string Key => "other";
        public int Value { get; set; } = 42;
        public override JsonNode? Show() => Value;
        public override void Bind(ConfigBinder b, YamlNode value) { }
    }

    [Fact]
    public void Defaults_SectionAskedForFirst_IsTheOneSectionsListsLater_InRegistrationOrder()
    {
        var config = Schema.Defaults();
        var sample = config.Section<SampleSection>();
        sample.Size = 9;
        config.Sections.Select(s => s.Key).ShouldBe(["mode", "sample", "pair"]);
        config.Sections[1].ShouldBeSameAs(sample);
        config.Section<SampleSection>().Size.ShouldBe(9);
    }

    [Fact]
    public void Defaults_ReadFromManyThreadsAtOnce_GiveOneInstancePerSection()
    {
        var config = Schema.Defaults();
        var seen = new System.Collections.Concurrent.ConcurrentBag<SampleSection>();
        Parallel.For(0, 64, _ => seen.Add(config.Section<SampleSection>()));
        seen.Distinct().ShouldHaveSingleItem();
        config.Sections.ShouldContain(seen.First());
    }

    [Fact]
    public void Schema_SameKeyTwice_IsRefused() =>
        Should.Throw<InvalidOperationException>(() => new ConfigSchema().Add<SampleSection>().Add<SampleSection>());

    [Fact]
    public void Schema_CoreKeyAsASection_IsRefused() =>
        Should.Throw<InvalidOperationException>(() => new ConfigSchema().Add<OutputImpostor>());

    private sealed class OutputImpostor : ConfigSection
    {
        public override string Key => "output";
        public override JsonNode? Show() => null;
        public override void Bind(ConfigBinder b, YamlNode value) { }
    }

    [Fact]
    public void Parse_EachLoad_GetsFreshSections()
    {
        Parse("sample:\n  size: 3\n").Section<SampleSection>().Size.ShouldBe(3);
        Parse("").Section<SampleSection>().Size.ShouldBe(7);
    }

    [Fact]
    public void Parse_BrokenYaml_IsInvalidConfigWithLine()
    {
        var e = Should.Throw<VoltException>(() => Parse("output: [table\n"));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Message.ShouldStartWith("invalid config cfg.yaml:");
    }

    [Theory]
    [InlineData("output: [table\n", "cfg.yaml:2:1: ")]
    [InlineData("output: [table", "cfg.yaml:1:")]
    [InlineData("sample: {size: 3\n", "cfg.yaml:2:1: ")]
    [InlineData("sample: {size: 3", "cfg.yaml:1:")]
    [InlineData("x: 1\nsample: {size: 3\n", "cfg.yaml:3:1: ")]
    [InlineData("output: [table\ncolor: never\n", "cfg.yaml:")]
    public void Parse_UnclosedFlowCollection_IsExit12WithLineAndColumn(string yaml, string position)
    {
        // YamlDotNet throws InvalidOperationException ("Operation is not valid due to the current state of the object")
        // for some of these; the position is where the parser noticed (the end of the text for an unclosed bracket).
        var e = Should.Throw<ConfigException>(() => Parse(yaml));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Message.ShouldContain(position);
        e.Message.ShouldMatch(@"^invalid config cfg\.yaml:\d+:\d+: \S");
        e.Message.ShouldNotContain("current state of the object");
    }

    [Fact]
    public void Parse_HugeDuration_IsExit12NotAnOverflow()
    {
        var e = Should.Throw<ConfigException>(() => Parse("sample:\n  grace: 99999999999999999d\n"));
        e.Message.ShouldBe("invalid config cfg.yaml:2:10: sample.grace is \"99999999999999999d\"; expected a duration like 30s, 15m, 2h or 7d (at most 36500d)");
    }

    [Fact]
    public void Parse_NulByte_IsExit12AtItsPosition()
    {
        var e = Should.Throw<ConfigException>(() => Parse("color: never\noutput: ta\0ble\n"));
        e.Message.ShouldBe("invalid config cfg.yaml:2:11: control character U+0000 is not allowed in YAML");
    }

    [Fact]
    public void Parse_DeepNesting_IsExit12NotAStackOverflow()
    {
        var e = Should.Throw<ConfigException>(() => Parse("output: " + new string('[', 100_000)));
        e.Message.ShouldContain("nested deeper than 64 levels");
    }

    [Theory]
    [InlineData("? &a [*a]\n: x\n", "cfg.yaml:1:7")]
    [InlineData("sample: &m {grace: *m}\n", "cfg.yaml:1:20")]
    [InlineData("a: &s [1, [2, *s]]\n", "cfg.yaml:1:15")]
    public void Parse_AliasInsideItsOwnAnchor_IsExit12NotAStackOverflow(string yaml, string at)
    {
        var e = Should.Throw<ConfigException>(() => Parse(yaml));
        e.Message.ShouldContain(at);
        e.Message.ShouldContain("a node cannot contain itself");
    }

    [Fact]
    public void Parse_EmptyFile_GivesDefaults() => Parse("", "empty").Output.ShouldBe("table");

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
