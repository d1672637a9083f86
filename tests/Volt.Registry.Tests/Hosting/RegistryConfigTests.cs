using Shouldly;
using Volt.Core.Config;
using Volt.Core.Paths;
using Volt.Registry.Hosting;
using Xunit;

namespace Volt.Registry.Tests.Hosting;

/// <summary><c>registry:</c>, the section Volt.Registry owns in config.yaml.</summary>
public sealed class RegistryConfigTests
{
    private static readonly ConfigSchema Schema = new ConfigSchema().Add<RegistryConfig>();

    private static RegistryConfig Parse(string yaml) => ConfigLoader.Parse(yaml, "cfg.yaml", Schema).Section<RegistryConfig>();

    [Fact]
    public void Defaults_LoopbackPort5000AnonymousPull()
    {
        var c = Parse("");
        c.Listen.ShouldBe("127.0.0.1");
        c.Port.ShouldBe(5000);
        c.AnonymousPull.ShouldBeTrue();
        c.UploadExpiry.ShouldBe(TimeSpan.FromHours(24));
        c.TlsCert.ShouldBeNull();
    }

    [Fact]
    public void FromConfig_CarriesEveryKeyIntoTheServerOptions()
    {
        var c = Parse("registry:\n  listen: 0.0.0.0\n  port: 5001\n  anonymous_pull: no\n  upload_expiry: 2d\n  tls_cert: /c.pem\n  tls_key: /k.pem\n");
        var o = RegistryOptions.FromConfig(new VoltPaths("/tmp/none"), c);
        (o.Listen, o.Port, o.AnonymousPull, o.UploadExpiry, o.TlsCert, o.TlsKey).ShouldBe(("0.0.0.0", 5001, false, TimeSpan.FromDays(2), "/c.pem", "/k.pem"));
    }

    [Theory]
    [InlineData("registry:\n  tls_cert: /x.pem\n", "invalid config cfg.yaml:2:3: registry.tls_cert and registry.tls_key must be set together")]
    [InlineData("registry:\n  tls_key: /x.pem\n", "invalid config cfg.yaml:2:3: registry.tls_cert and registry.tls_key must be set together")]
    [InlineData("registry:\n  port: 70000\n", "invalid config cfg.yaml:2:9: registry.port is \"70000\"; expected an integer from 0 to 65535")]
    [InlineData("registry:\n  anonymous_pull: maybe\n", "invalid config cfg.yaml:2:19: registry.anonymous_pull is \"maybe\"; expected true or false")]
    [InlineData("registry:\n  listen: ''\n", "invalid config cfg.yaml:2:11: registry.listen must be a non-empty string")]
    public void BadValues_AreExit12WithPosition(string yaml, string message) =>
        Should.Throw<ConfigException>(() => Parse(yaml)).Message.ShouldBe(message);
}
