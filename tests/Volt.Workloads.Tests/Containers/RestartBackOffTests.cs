using System.Text.Json.Nodes;
using Shouldly;
using Volt.Testing;
using Volt.Workloads.Containers;
using Volt.Workloads.Runtime;
using Volt.Workloads.Tests.Support;
using Xunit;

namespace Volt.Workloads.Tests.Containers;

/// <summary>The restart policy's back-off through the volt binary and a real voltd: status, stop, re-adoption.</summary>
public sealed class RestartBackOffTests
{
    [Fact]
    public async Task Stop_during_restart_back_off_ends_the_restarts_and_the_container_stays_stopped()
    {
        using var f = new CliFixture();
        f.Volt("run", "-d", "--name", "crash", "--restart", "on-failure", f.Image, "sh", "-c", "exit 1").Code.ShouldBe(0);
        // A stop may land in the moment the container runs again; then start it and try again in the next back-off.
        for (var tries = 0; ; tries++)
        {
            await ContainerFixture.WaitFor(() => f.Store.State("crash") is { Status: ContainerStatus.Restarting, Restart.Attempt: >= 4 }, 60, "a restart back-off");
            var stop = f.Volt("container", "stop", "crash");
            stop.Code.ShouldBe(0, stop.Err);
            if (File.ReadAllText(f.Paths.DaemonLog).Contains("stopped during restart back-off")) break;
            tries.ShouldBeLessThan(5, "the stop never met a back-off");
            f.Volt("container", "start", "crash").Code.ShouldBe(0);
        }
        var stopped = f.Store.State("crash");
        stopped.Status.ShouldBe(ContainerStatus.Stopped);
        stopped.Restart.ShouldBeNull();

        // The back-off never exceeds 5 s: once that much has passed since the stop, a restart that survived it would
        // have started the container again (Restarts counts up, the status leaves stopped).
        await WaitPast(DateTimeOffset.UtcNow + TimeSpan.FromSeconds(6));
        var later = f.Store.State("crash");
        later.Status.ShouldBe(ContainerStatus.Stopped);
        later.Restarts.ShouldBe(stopped.Restarts);
        later.StartedAt.ShouldBe(stopped.StartedAt);
        f.Volt("ps").Out.ShouldContain("stopped");
        f.Volt("container", "delete", "crash").Code.ShouldBe(0, "a stopped container deletes without --force");
    }

    [Fact]
    public async Task Back_off_is_restarting_with_its_attempt_in_ps_and_inspect_and_delete_needs_force()
    {
        using var f = new CliFixture();
        f.Volt("run", "-d", "--name", "crash", "--restart", "always", f.Image, "sh", "-c", "exit 3").Code.ShouldBe(0);
        // Wait for a back-off long enough to look at (attempt 5 waits 1.6 s, later ones up to 5 s).
        await ContainerFixture.WaitFor(() => f.Store.State("crash") is { Status: ContainerStatus.Restarting, Restart.Attempt: >= 5 }, 90, "attempt 5's back-off");
        var ((ps, rows), seen) = Frozen(f, () => (f.Volt("ps").Out, f.Volt("ps", "-o", "json").Out));
        var attempt = seen.Restart!.Attempt;
        ps.ShouldMatch($@"crash\s+container\s+restarting \(attempt {attempt}\)");
        var row = JsonNode.Parse(rows)!.AsArray().Single(r => (string?)r!["name"] == "crash")!;
        ((string?)row["status"]).ShouldBe("restarting");
        ((int?)row["restart"]!["attempt"]).ShouldBe(attempt);
        DateTimeOffset.Parse((string)row["restart"]!["next_at"]!, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(seen.Restart.NextAt);

        var inspect = JsonNode.Parse(f.Volt("container", "inspect", "crash", "-o", "json").Out)!;
        ((int?)inspect["restart_schedule"]!["attempt"]).ShouldNotBeNull();
        ((int?)inspect["exit_code"]).ShouldBe(3);

        var rm = f.Volt("container", "rm", "crash");
        rm.Code.ShouldBe(9);
        rm.Err.ShouldContain("restarting");
        f.Volt("container", "rm", "-f", "crash").Code.ShouldBe(0);
        f.Store.Names().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_container_in_back_off_when_voltd_is_killed_is_restarted_by_the_next_voltd()
    {
        using var f = new CliFixture();
        f.Volt("run", "-d", "--name", "crash", "--restart", "on-failure", f.Image, "sh", "-c", "exit 1").Code.ShouldBe(0);
        var daemon = f.DaemonPid.ShouldNotBeNull();
        // Freeze voltd while the container is in back-off (it cannot start the next attempt then), then kill it.
        ContainerState inBackOff;
        while (true)
        {
            await ContainerFixture.WaitFor(() => f.Store.State("crash").Status == ContainerStatus.Restarting, 60, "a restart back-off");
            TestEnv.Run("kill", "-STOP", daemon.ToString()).Code.ShouldBe(0);
            inBackOff = f.Store.State("crash");
            if (inBackOff.Status == ContainerStatus.Restarting) break;
            TestEnv.Run("kill", "-CONT", daemon.ToString());
        }
        Native.Kill(daemon, Native.SIGKILL);
        await ContainerFixture.WaitFor(() => !ProcFs.IsAlive(daemon), what: "voltd to die");
        var recorded = inBackOff.Restart.ShouldNotBeNull();
        recorded.Attempt.ShouldBe(inBackOff.Restarts + 1);
        File.ReadAllText(f.Store.StateFile("crash")).ShouldContain("\"next_at\"");

        // Any command that needs voltd starts a new one; it resumes the recorded schedule.
        f.Volt("run", "-d", "--name", "other", f.Image, "sleep", "1000").Code.ShouldBe(0);
        f.DaemonPid.ShouldNotBe(daemon);
        await ContainerFixture.WaitFor(() => f.Store.State("crash").Restarts >= recorded.Attempt, 60, "the resumed restart");
        File.ReadAllText(f.Paths.DaemonLog).ShouldContain("in restart back-off");

        var stop = f.Volt("container", "stop", "crash", "other");
        stop.Code.ShouldBe(0, stop.Err);
        f.Store.State("crash").Status.ShouldBe(ContainerStatus.Stopped);
    }

    [Fact]
    public async Task The_runtime_drops_a_pending_restart_on_stop_and_on_shutdown()
    {
        await using var f = new ContainerFixture();
        f.Engine.Create(new CreateRequest { Name = "crash", Image = f.Image, Restart = "always", Command = ["/bin/sh", "-c", "exit 2"] });
        foreach (var shutdown in new[] { false, true })
        {
            await f.Runtime.StartAsync("crash");
            await ContainerFixture.WaitFor(() => f.Runtime.PendingRestarts.Contains("crash"), 60, "a scheduled restart");
            if (shutdown) await f.Runtime.StopAllAsync(TimeSpan.FromSeconds(3));
            else await f.Runtime.StopAsync("crash", TimeSpan.FromSeconds(3));
            f.Runtime.PendingRestarts.ShouldBeEmpty();
            f.Runtime.Running.ShouldBeEmpty();
            f.Store.State("crash").Status.ShouldBe(ContainerStatus.Stopped);
        }
    }

    /// <summary>Runs <paramref name="look"/> while the container's back-off cannot end under it (retried otherwise).</summary>
    private static (T Seen, ContainerState State) Frozen<T>(CliFixture f, Func<T> look)
    {
        while (true)
        {
            var before = f.Store.State("crash");
            var seen = look();
            var after = f.Store.State("crash");
            if (before.Status == ContainerStatus.Restarting && after.Restart == before.Restart) return (seen, before);
        }
    }

    private static async Task WaitPast(DateTimeOffset when)
    {
        while (DateTimeOffset.UtcNow < when) await Task.Delay(100);
    }
}
