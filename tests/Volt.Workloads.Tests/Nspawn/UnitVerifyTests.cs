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
    public void Health_check_timer_and_service_pass_systemd_analyze_verify_beside_the_container_unit()
    {
        if (!TestEnv.HasTool("systemd-analyze")) Assert.Skip("systemd-analyze is not installed (package systemd)");
        TestEnv.RequireTool("systemd-nspawn");
        using var dir = new TempDir("unit");
        var c = new ContainerConfig
        {
            Name = "web", Image = "busybox", Command = ["/bin/httpd", "-f"],
            Healthcheck = new Volt.Workloads.Health.HealthcheckConfig { Test = ["CMD-SHELL", "wget -qO- http://127.0.0.1/ || exit 1"], IntervalSeconds = 0.5, TimeoutSeconds = 2 },
        };
        // verify checks that ExecStart's binary exists: the volt binary the tests run, or this test host.
        var volt = File.Exists(Environment.GetEnvironmentVariable("VOLT_TEST_BINARY") ?? "") ? Environment.GetEnvironmentVariable("VOLT_TEST_BINARY")! : Environment.ProcessPath!;
        var unit = dir.Write(UnitRenderer.UnitName("web"), UnitRenderer.Render(c, NspawnCommand.Build(c, "/var/lib/volt/containers/web/rootfs"), TimeSpan.FromSeconds(10)));
        var timerText = UnitRenderer.RenderHealthTimer(c);
        var serviceText = UnitRenderer.RenderHealthService(c, volt, "/tmp/volt root");
        var timer = dir.Write(UnitRenderer.HealthTimerName("web"), timerText);
        var service = dir.Write(UnitRenderer.HealthServiceName("web"), serviceText);

        var (code, stdout, stderr) = TestEnv.Run("systemd-analyze", "verify", unit, timer, service);

        code.ShouldBe(0, stdout + stderr);
        (stdout + stderr).ShouldNotContain(dir.Path, customMessage: "systemd-analyze reported a problem in a unit");
        File.ReadAllText(unit).ShouldContain("Wants=volt-container-health@web.timer");
        timerText.ShouldContain("PartOf=volt-container@web.service");
        timerText.ShouldContain("OnUnitInactiveSec=500ms");
        serviceText.ShouldContain(" container healthcheck run web");
        serviceText.ShouldContain("\"VOLT_ROOT=/tmp/volt root\"");
        serviceText.ShouldContain("SuccessExitStatus=1");
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
