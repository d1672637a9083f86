using Shouldly;
using Volt.Core.Errors;
using Volt.Workloads.Containers;
using Volt.Workloads.Health;
using Xunit;

namespace Volt.Workloads.Tests.Health;

/// <summary>Docker's health rules, flags and durations, without containers.</summary>
public sealed class HealthRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static HealthResult At(double seconds, int code) =>
        new(T0.AddSeconds(seconds), T0.AddSeconds(seconds + 0.1), code, code == 0 ? "ok" : "fail");

    [Fact]
    public void Retries_consecutive_failures_make_it_unhealthy_and_one_success_heals()
    {
        var check = new HealthcheckConfig { Test = ["CMD", "true"], Retries = 2 };
        var s = new HealthState { StartedAt = T0 };
        s = HealthChecker.Apply(s, At(1, 1), check, T0);
        s.Status.ShouldBe(HealthStatus.Starting);
        s.FailingStreak.ShouldBe(1);
        s = HealthChecker.Apply(s, At(2, 1), check, T0);
        s.Status.ShouldBe(HealthStatus.Unhealthy);
        s = HealthChecker.Apply(s, At(3, 0), check, T0);
        s.Status.ShouldBe(HealthStatus.Healthy);
        s.FailingStreak.ShouldBe(0);
        s = HealthChecker.Apply(s, At(4, 1), check, T0);
        s.Status.ShouldBe(HealthStatus.Healthy, "one failure of two allowed");
    }

    [Fact]
    public void Failures_in_the_start_period_do_not_count_but_a_success_there_is_healthy()
    {
        var check = new HealthcheckConfig { Test = ["CMD", "true"], Retries = 1, StartPeriodSeconds = 10 };
        var s = HealthChecker.Apply(new HealthState { StartedAt = T0 }, At(5, 1), check, T0);
        s.Status.ShouldBe(HealthStatus.Starting);
        s.FailingStreak.ShouldBe(0);
        HealthChecker.Apply(s, At(11, 1), check, T0).Status.ShouldBe(HealthStatus.Unhealthy);
        HealthChecker.Apply(s, At(6, 0), check, T0).Status.ShouldBe(HealthStatus.Healthy);
    }

    [Theory]
    [InlineData(0.2, 100)]
    [InlineData(0.05, 50)]
    [InlineData(30, 3000)]
    [InlineData(2, 200)]
    public void Extra_probes_while_starting_come_every_tenth_of_the_interval_at_least_100ms(double intervalSeconds, double probeMs) =>
        new HealthcheckConfig { Test = ["CMD", "true"], IntervalSeconds = intervalSeconds }.StartingProbe.TotalMilliseconds.ShouldBe(probeMs);

    [Fact]
    public void The_log_keeps_the_last_five_results()
    {
        var check = new HealthcheckConfig { Test = ["CMD", "true"] };
        var s = new HealthState { StartedAt = T0 };
        for (var i = 0; i < 8; i++) s = HealthChecker.Apply(s, At(i, i % 2), check, T0);
        s.Log.Count.ShouldBe(HealthState.LogSize);
        s.Log[0].Start.ShouldBe(T0.AddSeconds(3));
    }

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5h", 5_400_000)]
    public void Durations_parse_as_docker_flags_take_them(string text, double ms) =>
        Volt.Core.Config.DurationParser.Parse(text, "--health-interval").TotalMilliseconds.ShouldBe(ms);

    [Theory]
    [InlineData("30")]
    [InlineData("")]
    [InlineData("5x")]
    public void Durations_without_a_unit_are_usage_errors(string text) =>
        Should.Throw<VoltException>(() => Volt.Core.Config.DurationParser.Parse(text, "--health-interval")).Code.ShouldBe(ExitCode.Usage);

    [Fact]
    public void Flags_replace_the_images_fields_and_no_healthcheck_removes_it()
    {
        var image = HealthcheckConfig.FromImage(["CMD", "/bin/check", "--fast"], 5_000_000_000, 0, 0, 0)!;
        image.IntervalSeconds.ShouldBe(5);
        image.TimeoutSeconds.ShouldBe(30, "0 means Docker's default");
        image.Retries.ShouldBe(3);
        image.Command.ShouldBe(["/bin/check", "--fast"]);
        HealthcheckConfig.FromImage(["NONE"], 0, 0, 0, 0).ShouldBeNull();

        var r = new CreateRequest { Name = "a", Image = "x" };
        HealthOptions.Merge(r, image).ShouldBe(image);
        var merged = HealthOptions.Merge(r with { HealthRetries = "5", HealthTimeout = "2s" }, image)!;
        merged.Test.ShouldBe(image.Test);
        (merged.Retries, merged.TimeoutSeconds, merged.IntervalSeconds).ShouldBe((5, 2.0, 5.0));
        var cmd = HealthOptions.Merge(r with { HealthCmd = "test -f /ok" }, image)!;
        cmd.Command.ShouldBe(["/bin/sh", "-c", "test -f /ok"]);
        HealthOptions.Merge(r with { NoHealthcheck = true }, image).ShouldBeNull();
        HealthOptions.Merge(r with { HealthInterval = "1s" }, null).ShouldBeNull("no test to run");
        var defaults = HealthOptions.Merge(r with { HealthCmd = "true" }, null)!;
        (defaults.IntervalSeconds, defaults.TimeoutSeconds, defaults.StartPeriodSeconds, defaults.Retries).ShouldBe((30.0, 30.0, 0.0, 3));
    }

    [Fact]
    public void Bad_health_flags_are_usage_errors_all_at_once()
    {
        var r = new CreateRequest { Name = "a", Image = "x", HealthCmd = "true", HealthInterval = "soon", HealthRetries = "-1" };
        var e = Should.Throw<VoltException>(() => HealthOptions.Merge(r, null));
        e.Code.ShouldBe(ExitCode.Usage);
        e.Message.ShouldContain("--health-interval");
        e.Message.ShouldContain("--health-retries");
        Should.Throw<VoltException>(() => HealthOptions.Merge(r with { HealthInterval = null, HealthRetries = null, NoHealthcheck = true }, null))
            .Message.ShouldContain("--no-healthcheck conflicts");
    }
}
