using Microsoft.Extensions.Logging;
using Shouldly;
using Volt.Composition;
using Volt.Core.Config;
using Volt.Core.Errors;
using Volt.Core.Paths;
using Volt.Testing;
using Xunit;

namespace Volt.Composition.Tests;

/// <summary>The composition root: each engine built once, on first use, wired to the same adapters for CLI and voltd.</summary>
public sealed class EnginesTests : IDisposable
{
    private readonly TempDir _dir = new("volt-engines");

    public void Dispose() => _dir.Dispose();

    private Engines Create(string config = "", string? voltHost = null) =>
        new(new VoltPaths(_dir.Combine("root")), ConfigSections.Parse(config, "test"), voltHost: voltHost);

    [Fact]
    public void Constructing_BuildsNothingOnDisk()
    {
        var engines = Create();
        _ = engines.Parallelism;
        _ = engines.SystemdSupervises;
        Directory.Exists(_dir.Combine("root")).ShouldBeFalse();
    }

    [Fact]
    public void EachEngine_IsBuiltOnceAndShared()
    {
        var e = Create();
        e.Cas.ShouldBeSameAs(e.Cas);
        e.Images.ShouldBeSameAs(e.Images);
        e.Images.Cas.ShouldBeSameAs(e.Cas);
        e.Networks.ShouldBeSameAs(e.Networks);
        e.Pipelines.ShouldBeSameAs(e.Pipelines);
        e.Containers.ShouldBeSameAs(e.Containers);
        e.ContainerHost.ShouldBeSameAs(e.ContainerHost);
        e.ContainerHost.Rootfs.ShouldBeSameAs(e.Rootfs);
        e.ContainerHost.Network.ShouldBeSameAs(e.NetworkAttacher);
        e.ContainerHost.Time.ShouldBeSameAs(e.Time);
        e.ContainerHost.Processes.ShouldBeSameAs(e.Processes);
    }

    [Fact]
    public void GitOpsWorkloads_IsFreshPerCaller()
    {
        // Each one remembers whether its deploys started voltd (gitops serve reports it), so they are not shared.
        var e = Create();
        e.GitOpsWorkloads().ShouldNotBeSameAs(e.GitOpsWorkloads());
        e.GitOpsDeployer().ShouldNotBeNull();
    }

    [Fact]
    public void Daemon_RunsTheSameContainerHostAsTheCli()
    {
        var e = Create(voltHost: "unix://" + _dir.Combine("v.sock"));
        var options = e.Daemon();
        options.Host.ShouldBeSameAs(e.ContainerHost);
        options.Host.Rootfs.ShouldBeSameAs(e.Rootfs);
        options.Host.Network.ShouldBeSameAs(e.NetworkAttacher);
        options.SocketPath.ShouldBe(_dir.Combine("v.sock"));
        options.SharedCgroups.ShouldBeTrue();
        e.Daemon(_dir.Combine("other.sock")).SocketPath.ShouldBe(_dir.Combine("other.sock"));
    }

    [Fact]
    public void Daemon_Reload_ReadsTheConfigThroughEverySection()
    {
        var file = _dir.Write("config.yaml", "cas:\n  gc_grace: soon\n");
        var e = new Engines(new VoltPaths(_dir.Combine("root")), new VoltConfig(), configFile: file);
        var ex = Should.Throw<ConfigException>(() => e.Daemon().Reload!());
        ex.Message.ShouldStartWith($"invalid config {file}:2:13: cas.gc_grace is \"soon\"");
    }

    [Fact]
    public void WithLogging_WiresTheSameSettingsWithItsLoggers()
    {
        using var logging = LoggerFactory.Create(_ => { });
        var e = Create("supervisor: voltd\n", voltHost: "/x.sock");
        var logged = e.WithLogging(logging);
        logged.ContainerHost.Logging.ShouldBeSameAs(logging);
        logged.Paths.ShouldBeSameAs(e.Paths);
        logged.Config.ShouldBeSameAs(e.Config);
        logged.DaemonSocket.ShouldBe("/x.sock");
        logged.ContainerHost.ShouldNotBeSameAs(e.ContainerHost);
    }

    [Fact]
    public void Rootfs_Directory_IsUsedAsItIs()
    {
        var rootfs = _dir.Write("rootfs/bin/sh", "");
        var source = Create().Rootfs.Resolve(Path.GetDirectoryName(Path.GetDirectoryName(rootfs))!);
        source.Kind.ShouldBe("dir");
    }

    [Fact]
    public void Rootfs_ImageNotInTheStore_IsNotFoundNamingThePull()
    {
        var e = Should.Throw<VoltException>(() => Create().Rootfs.Resolve("busybox:1.36"));
        e.Code.ShouldBe(ExitCode.NotFound);
        e.Message.ShouldContain("volt image pull busybox:1.36");
    }

    [Theory]
    [InlineData("supervisor: systemd\n", true)]
    [InlineData("supervisor: voltd\n", false)]
    public void SystemdSupervises_FollowsTheConfig(string config, bool systemd) => Create(config).SystemdSupervises.ShouldBe(systemd);

    [Fact]
    public async Task SupervisorAsync_Systemd_IsTheSystemdDriverAndStartsNothing()
    {
        var supervisor = await Create("supervisor: systemd\n").SupervisorAsync(CancellationToken.None);
        supervisor.Name.ShouldBe("systemd");
    }

    [Fact]
    public async Task ListeningVoltdAsync_NothingOnTheSocket_IsNull()
    {
        var e = Create("supervisor: voltd\n", voltHost: _dir.Combine("none.sock"));
        (await e.ListeningVoltdAsync(CancellationToken.None)).ShouldBeNull();
        File.Exists(_dir.Combine("none.sock")).ShouldBeFalse();
    }

    [Fact]
    public void RegistryOptions_ComeFromTheRegistrySection()
    {
        var o = Create("registry:\n  port: 5001\n  anonymous_pull: false\n").RegistryOptions();
        o.Port.ShouldBe(5001);
        o.AnonymousPull.ShouldBeFalse();
    }

    [Fact]
    public void Parallelism_ZeroMeansOnePerCore()
    {
        Create().Parallelism.ShouldBe(Environment.ProcessorCount);
        Create("cas:\n  parallelism: 3\n").Parallelism.ShouldBe(3);
    }
}
