using System.Text;
using Volt.Core.Errors;
using Volt.Core.Processes;
using Volt.Workloads.Containers;
using Volt.Workloads.Runtime;

namespace Volt.Workloads.Health;

/// <summary>
/// Runs a container's health check once, inside its namespaces the way <c>volt container exec</c> does
/// (<see cref="ContainerExec.SpecAsync"/>), kills it (and what it started) at the timeout, and records the result
/// in health.json with Docker's rules: exit 0 is healthy; other results count towards <c>retries</c> only after the
/// start period. voltd's prober and <c>volt container healthcheck run</c> (the systemd timer) both come here.
/// </summary>
public sealed class HealthChecker(ContainerEngine engine, TimeProvider time)
{
    /// <summary>The check's result and the health state it led to (exit 9 when not running, 12 without a check).</summary>
    public Task<(HealthResult Result, HealthState State)> RunAsync(string name, CancellationToken ct = default) => RunAsync(name, true, ct);

    /// <summary>As above; with <paramref name="countFailure"/> false (an extra probe while starting) a failed result
    /// changes and records nothing: only a success counts.</summary>
    public async Task<(HealthResult Result, HealthState State)> RunAsync(string name, bool countFailure, CancellationToken ct)
    {
        var store = engine.Records;
        store.EnsureExists(name);
        var check = store.Config(name).Healthcheck
            ?? throw new VoltException(ExitCode.InvalidConfig, $"container \"{name}\" has no health check (give --health-cmd, or use an image with a Healthcheck)");
        var startedAt = store.State(name).StartedAt;
        var spec = await ContainerExec.SpecAsync(engine, name, check.Command, ct).ConfigureAwait(false);
        var result = await ProbeAsync(spec, check.Timeout, ct).ConfigureAwait(false);
        using var _ = Core.IO.FileLock.Exclusive(store.HealthLockFile(name));
        var now = store.State(name);
        var before = store.Health(name) is { } h && h.StartedAt == startedAt ? h : new HealthState { StartedAt = startedAt };
        if (!countFailure && result.ExitCode != 0) return (result, before);
        var next = Apply(before, result, check, startedAt);
        // A container that stopped or restarted meanwhile: the result belongs to a run that is over.
        if (now.Status == ContainerStatus.Running && now.StartedAt == startedAt) store.Save(name, next);
        return (result, next);
    }

    /// <summary>Docker's state machine for one result.</summary>
    public static HealthState Apply(HealthState before, HealthResult result, HealthcheckConfig check, DateTimeOffset? startedAt)
    {
        var log = before.Log.Append(result).TakeLast(HealthState.LogSize).ToList();
        if (result.ExitCode == 0) return before with { Status = HealthStatus.Healthy, FailingStreak = 0, Log = log };
        if (startedAt is { } s && result.Start < s + check.StartPeriod) return before with { Log = log };
        var streak = before.FailingStreak + 1;
        return before with
        {
            FailingStreak = streak, Log = log,
            Status = streak >= check.Retries ? HealthStatus.Unhealthy : before.Status,
        };
    }

    private async Task<HealthResult> ProbeAsync(ProcessSpec spec, TimeSpan timeout, CancellationToken ct)
    {
        var start = time.GetUtcNow();
        using var p = ProcessLauncher.Start(spec with { Stdin = ProcessInput.Closed, Stdout = ProcessOutput.Capture, Stderr = ProcessOutput.Capture });
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            var code = await p.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            return new HealthResult(start, time.GetUtcNow(), code, Tail(p.StdOut + p.StdErr));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // nsenter forks the check into the PID namespace: kill it, the check and whatever the check started.
            p.KillTree();
            return new HealthResult(start, time.GetUtcNow(), -1, $"Health check exceeded timeout ({Core.Config.DurationParser.Format(timeout)})");
        }
        catch
        {
            p.KillTree();
            throw;
        }
    }

    private static string Tail(string s)
    {
        if (Encoding.UTF8.GetByteCount(s) <= HealthState.OutputTail) return s;
        return s[^Math.Min(s.Length, HealthState.OutputTail)..];
    }
}
