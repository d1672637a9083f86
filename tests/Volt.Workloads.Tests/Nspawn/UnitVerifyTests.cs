using Shouldly;
using Volt.Testing;
using Volt.Units;
using Volt.Workloads.Containers;
using Volt.Workloads.Nspawn;
using Xunit;

namespace Volt.Workloads.Tests.Nspawn;

/// <summary>The systemd driver is tested by what it renders: systemd-analyze verify checks the unit offline.</summary>
public sealed class UnitVerifyTests
{
    private static ContainerConfig Full => new()
    {
        Name = "web", Image = "busybox", Command = ["/bin/sh", "-c", "echo \"$HOME\" 100% done; sleep 1"],
        Env = ["GREETING=hello world"], Volumes = [new VolumeMount("/tmp", "/data", true)],
        MemoryBytes = 64L << 20, CpuPercent = 200, Pids = 64, Restart = RestartPolicy.OnFailure, Workdir = "/tmp", User = "root",
    };

    private static ContainerConfig WithHealthcheck => new()
    {
        Name = "web", Image = "busybox", Command = ["/bin/httpd", "-f"],
        Healthcheck = new Volt.Workloads.Health.HealthcheckConfig { Test = ["CMD-SHELL", "wget -qO- http://127.0.0.1/ || exit 1"], IntervalSeconds = 0.5, TimeoutSeconds = 2 },
    };

    /// <summary>verify checks that ExecStart's binary exists: the volt binary the tests run, or this test host.</summary>
    private static string Volt => File.Exists(Environment.GetEnvironmentVariable("VOLT_TEST_BINARY") ?? "") ? Environment.GetEnvironmentVariable("VOLT_TEST_BINARY")! : Environment.ProcessPath!;

    [Fact]
    public void Rendered_unit_passes_systemd_analyze_verify_without_warnings()
    {
        TestEnv.RequireTool("systemd-nspawn"); // verify checks that ExecStart's binary exists
        var c = Full;
        var text = UnitRenderer.Render(c, NspawnCommand.Build(c with { Userns = UserNamespace.Private }, "/var/lib/volt/containers/web/rootfs"), TimeSpan.FromSeconds(10));

        SystemdVerify.AssertClean((UnitRenderer.UnitName("web"), text));

        text.ShouldContain("MemoryMax=67108864");
        text.ShouldContain("CPUQuota=200%");
        text.ShouldContain("TasksMax=64");
        text.ShouldContain("Restart=on-failure");
        text.ShouldContain("\"--setenv=GREETING=hello world\"");
    }

    [Fact]
    public void Health_check_timer_and_service_pass_systemd_analyze_verify_beside_the_container_unit()
    {
        TestEnv.RequireTool("systemd-nspawn");
        var c = WithHealthcheck;
        var unitText = UnitRenderer.Render(c, NspawnCommand.Build(c, "/var/lib/volt/containers/web/rootfs"), TimeSpan.FromSeconds(10));
        var timerText = UnitRenderer.RenderHealthTimer(c);
        var serviceText = UnitRenderer.RenderHealthService(c, Volt, "/tmp/volt root");

        SystemdVerify.AssertClean((UnitRenderer.UnitName("web"), unitText), (UnitRenderer.HealthTimerName("web"), timerText), (UnitRenderer.HealthServiceName("web"), serviceText));

        unitText.ShouldContain("Wants=volt-container-health@web.timer");
        timerText.ShouldContain("PartOf=volt-container@web.service");
        timerText.ShouldContain("OnUnitInactiveSec=500ms");
        serviceText.ShouldContain(" container healthcheck run web");
        serviceText.ShouldContain("\"VOLT_ROOT=/tmp/volt root\"");
        serviceText.ShouldContain("SuccessExitStatus=1");
    }

    [Fact]
    public void Verify_catches_a_broken_unit_so_the_check_above_means_something()
    {
        SystemdVerify.Run(("volt-container@bad.service", "[Service]\nType=simplex\nExecStart=/usr/bin/true\n")).Clean.ShouldBeFalse();
    }

    [Fact]
    public void Every_rendered_unit_parses_back_into_the_typed_views_voltd_runs()
    {
        var c = Full;
        var command = NspawnCommand.Build(c, "/var/lib/volt/containers/web/rootfs");
        var unit = UnitFile.Parse(UnitRenderer.Render(c, command, TimeSpan.FromSeconds(10)), UnitRenderer.UnitName("web"));
        var svc = ServiceUnit.From(unit);
        svc.ExecStart.ShouldHaveSingleItem().Argv.ShouldBe(command);
        (svc.MemoryMax, svc.CpuQuotaPercent, svc.TasksMax, svc.Restart, svc.KillMode).ShouldBe((64L << 20, 200, 64, UnitRestart.OnFailure, KillMode.Mixed));
        svc.TimeoutStopSec.ShouldBe(TimeSpan.FromSeconds(10));

        var h = WithHealthcheck;
        var timer = TimerUnit.From(UnitFile.Parse(UnitRenderer.RenderHealthTimer(h), UnitRenderer.HealthTimerName("web")));
        (timer.OnActiveSec, timer.OnUnitInactiveSec, timer.Unit).ShouldBe((TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500), "volt-container-health@web.service"));
        var check = ServiceUnit.From(UnitFile.Parse(UnitRenderer.RenderHealthService(h, "/usr/bin/volt", "/tmp/100% $root"), UnitRenderer.HealthServiceName("web")));
        check.Environment["VOLT_ROOT"].ShouldBe("/tmp/100% $root");
        check.ExecStart.ShouldHaveSingleItem().Argv.ShouldBe(["/usr/bin/volt", "container", "healthcheck", "run", "web"]);
        check.SuccessExitStatus.ShouldBe([1]);
    }
}
