using Shouldly;
using Volt.Testing;
using Volt.Units;
using Volt.Workloads.Services;
using Xunit;

namespace Volt.Workloads.Tests.Services;

/// <summary>The units services and Volt's own servers are run from pass <c>systemd-analyze verify</c> offline.</summary>
public sealed class ServiceUnitVerifyTests
{
    private static void Verify(TempDir dir, params string[] files)
    {
        if (!TestEnv.HasTool("systemd-analyze")) Assert.Skip("systemd-analyze is not installed (package systemd)");
        var (code, stdout, stderr) = TestEnv.Run("systemd-analyze", ["verify", .. files], null, null);
        code.ShouldBe(0, stderr);
        (stdout + stderr).ShouldNotContain(dir.Path, customMessage: "systemd-analyze reported a problem in a unit");
    }

    [Fact]
    public void A_created_service_unit_passes_systemd_analyze_verify_and_parses_back_to_what_was_asked()
    {
        using var dir = new TempDir("svc-unit");
        var spec = new ServiceSpec
        {
            Name = "web", Command = ["/bin/sh", "-c", "echo \"$HOME\" 100% done; sleep 1"], User = "daemon", Group = "daemon",
            Environment = [new("GREETING", "hello world")], EnvironmentFiles = ["-/etc/web.env"], WorkingDirectory = "/tmp",
            MemoryBytes = 256L << 20, CpuPercent = 50, Tasks = 64, Restart = UnitRestart.OnFailure, After = ["network-online.target"],
        };
        var file = dir.Write("web.service", spec.Render());
        Verify(dir, file);
        var unit = ServiceUnit.From(UnitFile.Load(file));
        unit.ExecStart[^1].Argv.ShouldBe(spec.Command);
        unit.Environment["GREETING"].ShouldBe("hello world");
        unit.MemoryMax.ShouldBe(256L << 20);
        unit.CpuQuotaPercent.ShouldBe(50);
        unit.TasksMax.ShouldBe(64);
        unit.Restart.ShouldBe(UnitRestart.OnFailure);
        unit.User.ShouldBe("daemon"); // not nobody: systemd-analyze warns that User=nobody is unsafe
        unit.EnvironmentFiles.ShouldHaveSingleItem().Optional.ShouldBeTrue();
    }

    [Fact]
    public void Volts_own_units_pass_systemd_analyze_verify()
    {
        using var dir = new TempDir("volt-units");
        var gitops = dir.Write("volt-gitops.service", VoltUnits.Server(VoltUnits.GitOps, "Volt GitOps", ["/bin/true", "gitops", "serve", "--port", "9090", "--listen", "127.0.0.1"], "/tmp/with space"));
        var registry = dir.Write("volt-registry.service", VoltUnits.Server(VoltUnits.Registry, "Volt registry", ["/bin/true", "registry", "serve"], null));
        var daemon = dir.Write("volt.service", VoltUnits.DaemonService("/bin/true", null));
        var socket = dir.Write("volt.socket", VoltUnits.DaemonSocket("/var/run/volt/volt.sock"));
        Verify(dir, gitops, registry, daemon, socket);
        ServiceUnit.From(UnitFile.Load(gitops)).Environment["VOLT_ROOT"].ShouldBe("/tmp/with space");
        File.ReadAllText(socket).ShouldContain("ListenStream=/var/run/volt/volt.sock");
    }
}
