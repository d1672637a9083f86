using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Shouldly;
using Volt.Testing;
using Volt.Workloads.Containers;
using Volt.Workloads.Health;
using Volt.Workloads.Tests.Support;
using Xunit;

namespace Volt.Workloads.Tests.Containers;

/// <summary>Health checks through the volt binary: voltd's prober, <c>healthcheck run</c>, ps/inspect, image configs.</summary>
public sealed class HealthcheckTests
{
    private static HealthStatus? Health(CliFixture f, string name) => f.Store.Health(name)?.StartedAt == f.Store.State(name).StartedAt ? f.Store.Health(name)?.Status : null;

    [Fact]
    public async Task Voltd_runs_the_check_inside_the_container_and_ps_shows_unhealthy_then_healthy()
    {
        using var f = new CliFixture();
        var run = f.Volt("run", "-d", "--name", "web", "--health-cmd", "test -f /tmp/ok && echo fine", "--health-interval", "200ms",
            "--health-retries", "2", f.Image, "sleep", "1000");
        run.Code.ShouldBe(0, run.Err);

        await ContainerFixture.WaitFor(() => Health(f, "web") == HealthStatus.Unhealthy, 60, "unhealthy");
        f.Volt("ps").Out.ShouldMatch(@"web\s+container\s+running \(unhealthy\)");
        f.Store.Health("web")!.FailingStreak.ShouldBeGreaterThanOrEqualTo(2);

        // The file exists only inside the container: the check runs in its mount namespace.
        f.Volt("container", "exec", "web", "sh", "-c", ": > /tmp/ok").Code.ShouldBe(0);
        File.Exists("/tmp/ok").ShouldBeFalse();
        await ContainerFixture.WaitFor(() => Health(f, "web") == HealthStatus.Healthy, 60, "healthy");
        f.Volt("ps").Out.ShouldMatch(@"web\s+container\s+running \(healthy\)");
        var row = JsonNode.Parse(f.Volt("ps", "-o", "json").Out)!.AsArray().Single()!;
        ((string?)row["status"]).ShouldBe("running");
        ((string?)row["health"]!["status"]).ShouldBe("healthy");
        var health = JsonNode.Parse(f.Volt("container", "inspect", "web", "-o", "json").Out)!["health"]!;
        var log = health["log"]!.AsArray();
        log.Count.ShouldBeInRange(1, HealthState.LogSize);
        ((int?)log[^1]!["exit_code"]).ShouldBe(0);
        ((string?)log[^1]!["output"]).ShouldBe("fine\n");

        f.Volt("container", "stop", "web").Code.ShouldBe(0);
        f.Volt("ps").Out.ShouldNotContain("healthy", customMessage: "health is shown for running containers only");
        f.Volt("container", "rm", "web").Code.ShouldBe(0);
    }

    [Fact]
    public async Task Healthcheck_run_records_the_result_and_exits_0_or_1_and_kills_a_check_at_its_timeout()
    {
        using var f = new CliFixture();
        // An hour between voltd's checks: only `healthcheck run` checks during this test.
        f.Volt("run", "-d", "--name", "slow", "--health-cmd", "[ -f /tmp/ok ] || sleep 4711", "--health-timeout", "300ms",
            "--health-interval", "1h", "--health-retries", "1", f.Image, "sleep", "1000").Code.ShouldBe(0);
        f.Volt("ps").Out.ShouldMatch(@"slow\s+container\s+running \(starting\)");

        var failed = f.Volt("container", "healthcheck", "run", "slow");
        failed.Code.ShouldBe(1, failed.Err);
        failed.Out.ShouldContain("exceeded timeout");
        f.Store.Health("slow")!.Status.ShouldBe(HealthStatus.Unhealthy);
        f.Store.Health("slow")!.Log.Single().ExitCode.ShouldBe(-1);
        await ContainerFixture.WaitFor(() => !SleepersAlive(), 30, "the timed-out check to be gone");

        f.Volt("container", "exec", "slow", "sh", "-c", ": > /tmp/ok").Code.ShouldBe(0);
        var ok = f.Volt("container", "healthcheck", "run", "slow", "-o", "json");
        ok.Code.ShouldBe(0, ok.Err);
        ((string?)JsonNode.Parse(ok.Out)!["health"]).ShouldBe("healthy");
        f.Volt("ps").Out.ShouldMatch(@"slow\s+container\s+running \(healthy\)");

        f.Volt("container", "stop", "slow").Code.ShouldBe(0);
        f.Volt("container", "healthcheck", "run", "slow").Code.ShouldBe(9, "not running");
        f.Volt("container", "create", f.Image, "--name", "plain").Code.ShouldBe(0);
        f.Volt("container", "healthcheck", "run", "plain").Code.ShouldBe(12, "no health check");
        f.Volt("container", "create", f.Image, "--name", "bad", "--no-healthcheck", "--health-cmd", "true").Code.ShouldBe(2);
        f.Volt("container", "create", f.Image, "--name", "bad", "--health-cmd", "true", "--health-interval", "5").Code.ShouldBe(2);
    }

    [Fact]
    public void The_images_Healthcheck_is_the_default_and_flags_override_or_remove_it()
    {
        using var f = new CliFixture();
        TestEnv.RequireTool("tar");
        var archive = DockerArchive(f.Dir, f.Image, """{"Test":["CMD-SHELL","test -f /tmp/ok"],"Interval":2000000000,"Timeout":0,"StartPeriod":1500000000,"Retries":4}""");
        var import = f.Volt("image", "import", archive, "--name", "hc:1");
        import.Code.ShouldBe(0, import.Err);

        f.Volt("container", "create", "hc:1", "--name", "img").Code.ShouldBe(0);
        var check = JsonNode.Parse(f.Volt("container", "inspect", "img", "-o", "json").Out)!["healthcheck"]!;
        check["test"]!.AsArray().Select(t => (string?)t).ShouldBe(["CMD-SHELL", "test -f /tmp/ok"]);
        ((string?)check["interval"]).ShouldBe("2s");
        ((string?)check["timeout"]).ShouldBe("30s");
        ((string?)check["start_period"]).ShouldBe("1.5s");
        ((int?)check["retries"]).ShouldBe(4);

        f.Volt("container", "create", "hc:1", "--name", "over", "--health-retries", "9").Code.ShouldBe(0);
        var over = f.Store.Config("over").Healthcheck.ShouldNotBeNull();
        over.Test.ShouldBe(["CMD-SHELL", "test -f /tmp/ok"]);
        (over.Retries, over.IntervalSeconds, over.StartPeriodSeconds).ShouldBe((9, 2.0, 1.5));
        f.Volt("container", "create", "hc:1", "--name", "none", "--no-healthcheck").Code.ShouldBe(0);
        f.Store.Config("none").Healthcheck.ShouldBeNull();
        File.Exists(Path.Combine(f.Paths.Units, "volt-container-health@img.timer")).ShouldBeTrue();
        File.Exists(Path.Combine(f.Paths.Units, "volt-container-health@none.timer")).ShouldBeFalse();
        f.Volt("container", "rm", "img").Code.ShouldBe(0);
        File.Exists(Path.Combine(f.Paths.Units, "volt-container-health@img.timer")).ShouldBeFalse();
        File.Exists(Path.Combine(f.Paths.Units, "volt-container-health@img.service")).ShouldBeFalse();
    }

    private static bool SleepersAlive() => Directory.GetDirectories("/proc").Any(d =>
    {
        try { return File.ReadAllText(Path.Combine(d, "cmdline")) == "sleep\04711\0"; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    });

    /// <summary>A docker-archive tar (docker save's format) of <paramref name="rootfs"/> with a config carrying the Healthcheck.</summary>
    private static string DockerArchive(TempDir dir, string rootfs, string healthcheck)
    {
        var work = dir.Combine("archive");
        Directory.CreateDirectory(work);
        TestEnv.Run("tar", "-C", rootfs, "-cf", Path.Combine(work, "layer.tar"), ".").Code.ShouldBe(0);
        var diff = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(work, "layer.tar"))));
        File.WriteAllText(Path.Combine(work, "config.json"),
            """{"architecture":"amd64","os":"linux","config":{"Cmd":["sleep","1000"],"Healthcheck":""" + healthcheck
            + """},"rootfs":{"type":"layers","diff_ids":["sha256:""" + diff + "\"]}}");
        File.WriteAllText(Path.Combine(work, "manifest.json"), """[{"Config":"config.json","RepoTags":["hc:1"],"Layers":["layer.tar"]}]""");
        var tar = dir.Combine("hc.tar");
        TestEnv.Run("tar", "-C", work, "-cf", tar, "manifest.json", "config.json", "layer.tar").Code.ShouldBe(0);
        return tar;
    }
}
