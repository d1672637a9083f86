using Shouldly;
using Volt.Core.Config;
using Volt.Storage.Cas;
using Xunit;

namespace Volt.Storage.Tests.Cas;

/// <summary><c>cas:</c>, the section Volt.Storage owns in config.yaml.</summary>
public sealed class CasConfigTests
{
    private static readonly ConfigSchema Schema = new ConfigSchema().Add<CasConfig>();

    private static CasConfig Parse(string yaml) => ConfigLoader.Parse(yaml, "cfg.yaml", Schema).Section<CasConfig>();

    [Fact]
    public void Defaults_FifteenMinutesGraceAndOneWorkerPerCore()
    {
        var c = Parse("");
        c.GcGrace.ShouldBe(TimeSpan.FromMinutes(15));
        c.Parallelism.ShouldBe(0);
        c.Workers.ShouldBe(Environment.ProcessorCount);
    }

    [Fact]
    public void Binds_GraceAndParallelism()
    {
        var c = Parse("cas:\n  gc_grace: 1h30m\n  parallelism: 3\n");
        c.GcGrace.ShouldBe(TimeSpan.FromMinutes(90));
        c.Workers.ShouldBe(3);
    }

    [Fact]
    public void HugeDuration_IsExit12NotAnOverflow()
    {
        var e = Should.Throw<ConfigException>(() => Parse("cas:\n  gc_grace: 99999999999999999d\n"));
        e.Message.ShouldBe("invalid config cfg.yaml:2:13: cas.gc_grace is \"99999999999999999d\"; expected a duration like 30s, 15m, 2h or 7d (at most 36500d)");
    }

    [Theory]
    [InlineData("cas:\n  parallelism: 1025\n", "invalid config cfg.yaml:2:16: cas.parallelism is \"1025\"; expected an integer from 0 to 1024")]
    [InlineData("cas:\n  parallelism: -1\n", "invalid config cfg.yaml:2:16: cas.parallelism is \"-1\"; expected an integer from 0 to 1024")]
    [InlineData("cas: 7\n", "invalid config cfg.yaml:1:6: cas must be a mapping")]
    [InlineData("cas:\n  gc_gracee: 1m\n", "invalid config cfg.yaml:2:3: unknown key \"cas.gc_gracee\" (known: gc_grace, parallelism)")]
    public void BadValues_AreExit12WithPosition(string yaml, string message) =>
        Should.Throw<ConfigException>(() => Parse(yaml)).Message.ShouldBe(message);
}
