using Shouldly;
using Volt.Testing;
using Volt.Workloads.Containers;
using Volt.Workloads.Nspawn;
using Xunit;

namespace Volt.Workloads.Tests.Nspawn;

/// <summary>The systemd driver is tested by what it renders: systemd-analyze verify checks the unit offline.</summary>
public sealed class UnitVerifyTests
{
    [Fact]
    public void Rendered_unit_passes_systemd_analyze_verify_without_warnings()
    {
        if (!TestEnv.HasTool("systemd-analyze")) Assert.Skip("systemd-analyze is not installed (package systemd)");
        TestEnv.RequireTool("systemd-nspawn"); // verify checks that ExecStart's binary exists
        using var dir = new TempDir("unit");
        var c = new ContainerConfig
        {
            Name = "web", Image = "busybox", Command = ["/bin/sh", "-c", "echo \"$HOME\" 100% done; sleep 1"],
            Env = ["GREETING=hello world"], Volumes = [new VolumeMount("/tmp", "/data", true)],
            MemoryBytes = 64L << 20, CpuPercent = 200, Pids = 64, Restart = RestartPolicy.OnFailure, Workdir = "/tmp", User = "root",
        };
        var text = UnitRenderer.Render(c, NspawnCommand.Build(c with { Userns = UserNamespace.Private }, "/var/lib/volt/containers/web/rootfs"), TimeSpan.FromSeconds(10));
        var file = dir.Write(UnitRenderer.UnitName("web"), text);

        var (code, stdout, stderr) = TestEnv.Run("systemd-analyze", "verify", file);

        code.ShouldBe(0, stderr);
        (stdout + stderr).ShouldNotContain(file, customMessage: "systemd-analyze reported a problem in the unit");
        text.ShouldContain("MemoryMax=67108864");
        text.ShouldContain("CPUQuota=200%");
        text.ShouldContain("TasksMax=64");
        text.ShouldContain("Restart=on-failure");
        text.ShouldContain("\"--setenv=GREETING=hello world\"");
    }

    [Fact]
    public void Verify_catches_a_broken_unit_so_the_check_above_means_something()
    {
        if (!TestEnv.HasTool("systemd-analyze")) Assert.Skip("systemd-analyze is not installed (package systemd)");
        using var dir = new TempDir("unit");
        var file = dir.Write("volt-container@bad.service", "[Service]\nType=simplex\nExecStart=/usr/bin/true\n");
        var (_, stdout, stderr) = TestEnv.Run("systemd-analyze", "verify", file);
        (stdout + stderr).ShouldContain(file);
    }
}
