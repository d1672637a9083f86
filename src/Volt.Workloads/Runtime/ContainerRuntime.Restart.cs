using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Volt.Workloads.Containers;
using Volt.Workloads.Nspawn;

namespace Volt.Workloads.Runtime;

public sealed partial class ContainerRuntime
{
    /// <summary>Restarts waiting out their back-off, by container; a stop or start takes the entry away first.</summary>
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _pending = new(StringComparer.Ordinal);

    /// <summary>Set by <see cref="StopAllAsync"/>: exits from then on are not restarted.</summary>
    private volatile bool _stoppingAll;

    /// <summary>The wait before restart number <c>restarts + 1</c>: 100 ms doubling to 5 s.</summary>
    internal static TimeSpan BackOff(int restarts) => TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, Math.Min(restarts, 6))));

    /// <summary>Containers in back-off whose restart this runtime has scheduled.</summary>
    public IReadOnlyList<string> PendingRestarts => [.. _pending.Keys.Order(StringComparer.Ordinal)];

    /// <summary>
    /// Starts the container again at <see cref="RestartSchedule.NextAt"/> unless a stop (or start) comes first; a stop
    /// that arrives while the launch waits for the container's lock is seen there (the state is no longer
    /// <c>restarting</c>) and the launch does nothing.
    /// </summary>
    private void ScheduleRestart(string name, RestartSchedule next)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        _pending.AddOrUpdate(name, cts, (_, old) => { Cancel(old); return cts; });
        LogRestartScheduled(name, next.Attempt, next.NextAt);
        _ = Task.Run(async () =>
        {
            try
            {
                var delay = next.NextAt - _host.Time.GetUtcNow();
                if (delay > TimeSpan.Zero) await Task.Delay(delay, _host.Time, cts.Token).ConfigureAwait(false);
                if (!_pending.TryGetValue(name, out var current) || current != cts || !_host.Store.Exists(name)) return;
                // Still listed while it launches, so a shutdown waits for it (the launch checks the state under the lock).
                var w = await LaunchAsync(name, next.Attempt, _host.Store.LogFile(name), ConsoleMode.Pipe, _shutdown.Token, restarting: true).ConfigureAwait(false);
                if (w is not null) _ = MonitorAsync(w);
            }
            catch (OperationCanceledException) { }
            catch (Exception e)
            {
                LogRestartFailed(e, name);
                RecordRestartFailure(name, e.Message);
            }
            finally { _pending.TryRemove(new KeyValuePair<string, CancellationTokenSource>(name, cts)); }
        });
    }

    /// <summary>Takes a scheduled restart away (a stop or a start by the user).</summary>
    private void CancelPendingRestart(string name)
    {
        if (_pending.TryRemove(name, out var cts)) Cancel(cts);
    }

    private static void Cancel(CancellationTokenSource cts)
    {
        try { cts.Cancel(); } catch (ObjectDisposedException) { }
    }

    /// <summary>
    /// A stop during back-off: the schedule ends and the container is <c>stopped</c>. False when it is not (or no
    /// longer) restarting.
    /// </summary>
    private bool EndBackOff(string name)
    {
        using var _ = _host.Store.Lock(name);
        var state = _host.Store.State(name);
        if (state.Status != ContainerStatus.Restarting) return false;
        _host.Store.Save(name, state with { Status = ContainerStatus.Stopped, Restart = null });
        LogBackOffEnded(name);
        return true;
    }

    private void RecordRestartFailure(string name, string error)
    {
        try
        {
            if (!_host.Store.Exists(name)) return;
            using var _ = _host.Store.Lock(name);
            var state = _host.Store.State(name);
            if (state.Status == ContainerStatus.Restarting)
                _host.Store.Save(name, state with { Status = ContainerStatus.Failed, Restart = null, Error = error });
        }
        catch (Exception e) { LogRestartFailed(e, name); }
    }

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "Container {Name}: restart attempt {Attempt} at {NextAt:O}")]
    private partial void LogRestartScheduled(string name, int attempt, DateTimeOffset nextAt);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "Container {Name}: stopped during restart back-off; no more restarts")]
    private partial void LogBackOffEnded(string name);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Error, Message = "Restarting container {Name} failed")]
    private partial void LogRestartFailed(Exception e, string name);
}
