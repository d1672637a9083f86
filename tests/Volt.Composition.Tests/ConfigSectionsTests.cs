using Shouldly;
using Volt.Composition;
using Volt.Core.Config;
using Volt.Core.Errors;
using Volt.Network;
using Volt.Registry.Hosting;
using Volt.Storage.Cas;
using Volt.Workloads.Supervision;
using Xunit;

namespace Volt.Composition.Tests;

/// <summary>The whole config.yaml as the CLI and voltd read it: every engine's section, registered in one place.</summary>
public sealed class ConfigSectionsTests
{
    [Fact]
    public void Load_MissingDefaultFile_GivesEveryEnginesDefaults()
    {
        var c = ConfigSections.Load("/nonexistent/volt/config.yaml", mustExist: false);
        c.Output.ShouldBe("table");
        c.Section<SupervisorConfig>().Configured.ShouldBe("auto");
        c.Section<RegistryConfig>().Port.ShouldBe(5000);
        c.Section<CasConfig>().GcGrace.ShouldBe(TimeSpan.FromMinutes(15));
        c.Section<NetworkConfig>().Bridge.ShouldBe("volt0");
        c.Section<NetworkConfig>().Subnet.ShouldBe("10.0.0.0/24");
    }

    [Fact]
    public void Parse_ValidFile_BindsEveryKey()
    {
        var c = ConfigSections.Parse("""
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
              tls_cert: /etc/volt/tls.crt
              tls_key: /etc/volt/tls.key
            network:
              bridge: volt9
              subnet: 10.9.0.0/16
            """, "test");
        c.Output.ShouldBe("json");
        c.Color.ShouldBe("never");
        c.Section<SupervisorConfig>().Configured.ShouldBe("voltd");
        c.Section<CasConfig>().GcGrace.ShouldBe(TimeSpan.FromMinutes(90));
        c.Section<CasConfig>().Parallelism.ShouldBe(3);
        var r = c.Section<RegistryConfig>();
        r.Listen.ShouldBe("0.0.0.0");
        r.Port.ShouldBe(5001);
        r.AnonymousPull.ShouldBeFalse();
        r.UploadExpiry.ShouldBe(TimeSpan.FromDays(2));
        r.TlsCert.ShouldBe("/etc/volt/tls.crt");
        r.TlsKey.ShouldBe("/etc/volt/tls.key");
        c.Section<NetworkConfig>().Bridge.ShouldBe("volt9");
        c.Section<NetworkConfig>().Subnet.ShouldBe("10.9.0.0/16");
    }

    [Fact]
    public void Parse_SeveralErrors_ReportsAllOfThemAtOnceWithLines()
    {
        var e = Should.Throw<VoltException>(() => ConfigSections.Parse("""
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
    public void Parse_UnknownTopLevelKey_ListsTheKnownKeysInTheDocumentedOrder()
    {
        var e = Should.Throw<ConfigException>(() => ConfigSections.Parse("colour: auto\n", "cfg.yaml"));
        e.Message.ShouldBe("invalid config cfg.yaml:1:1: unknown key \"colour\" (known: output, color, supervisor, cas, registry, network, daemon, dns, ingress, build)");
    }

    [Fact]
    public void Schema_RegistersOneSectionPerEngineKey() =>
        ConfigSections.Schema.Keys.ShouldBe(["supervisor", "cas", "registry", "network", "daemon", "dns", "ingress", "build"]);

    [Fact]
    public void Parse_SocketGroupTheHostLacks_IsAnErrorAtItsLine()
    {
        var e = Should.Throw<ConfigException>(() => ConfigSections.Parse("daemon:\n  socket_group: no-such-group-x\n", "cfg.yaml"));
        e.Message.ShouldContain("cfg.yaml:2:17: daemon.socket_group is \"no-such-group-x\"; this host has no such group");
    }

    [Fact]
    public void Parse_SocketGroupTheHostHas_IsTaken()
    {
        var c = ConfigSections.Parse("daemon:\n  socket_group: root\n", "cfg.yaml");
        var d = c.Section<Volt.Daemon.DaemonConfig>();
        d.SocketGroup.ShouldBe("root");
        d.SocketGroupExplicit.ShouldBeTrue();
    }
}
