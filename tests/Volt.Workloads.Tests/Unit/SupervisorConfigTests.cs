using Shouldly;
using Volt.Core.Config;
using Volt.Workloads.Supervision;
using Xunit;

namespace Volt.Workloads.Tests.Unit;

/// <summary><c>supervisor:</c>, the top-level scalar Volt.Workloads owns in config.yaml.</summary>
public sealed class SupervisorConfigTests
{
    private static readonly ConfigSchema Schema = new ConfigSchema().Add<SupervisorConfig>();

    private static SupervisorConfig Parse(string yaml) => ConfigLoader.Parse(yaml, "cfg.yaml", Schema).Section<SupervisorConfig>();

    [Theory]
    [InlineData("", "auto")]
    [InlineData("supervisor: systemd\n", "systemd")]
    [InlineData("supervisor: voltd\n", "voltd")]
    public void Binds_TheChoice(string yaml, string configured) => Parse(yaml).Configured.ShouldBe(configured);

    [Theory]
    [InlineData("supervisor: systemd\n", "systemd")]
    [InlineData("supervisor: voltd\n", "voltd")]
    public void Resolve_AnExplicitChoice_IsKept(string yaml, string resolved) => Parse(yaml).Resolve().ShouldBe(resolved);

    [Theory]
    [InlineData("supervisor: runit\n", "invalid config cfg.yaml:1:13: supervisor is \"runit\"; expected one of auto, systemd, voltd")]
    [InlineData("supervisor: {a: 1}\n", "invalid config cfg.yaml:1:13: supervisor must be a non-empty string")]
    public void BadValues_AreExit12WithPosition(string yaml, string message) =>
        Should.Throw<ConfigException>(() => Parse(yaml)).Message.ShouldBe(message);
}
