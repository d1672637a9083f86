using Microsoft.Extensions.Logging;
using Volt.GitOps.Hosting;
using Volt.GitOps.Pipelines;

namespace Volt.GitOps.Deploy;

/// <summary>
/// Background deploys, one at a time per pipeline. A request arriving while that pipeline deploys replaces any
/// waiting one, so a burst of pushes coalesces into one next deploy of the newest commit.
/// </summary>
public sealed class DeployQueue(Deployer deployer, ILogger log) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DeployRequest?> _pending = [];
    private readonly Dictionary<string, Task> _running = [];
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Raised after each recorded deploy (tests and metrics).</summary>
    public event Action<string, HistoryEntry>? Deployed;

    /// <summary>Pipelines deploying now and those with a deploy waiting (SIGUSR1's state dump).</summary>
    public (IReadOnlyList<string> Running, IReadOnlyList<string> Waiting) Depths()
    {
        lock (_gate) return ([.. _running.Keys.Order()], [.. _pending.Where(p => p.Value is not null).Select(p => p.Key).Order()]);
    }

    public void Enqueue(string pipeline, DeployRequest request)
    {
        lock (_gate)
        {
            if (_running.ContainsKey(pipeline)) { _pending[pipeline] = request; return; }
            _running[pipeline] = Task.Run(() => LoopAsync(pipeline, request));
        }
    }

    private async Task LoopAsync(string pipeline, DeployRequest request)
    {
        while (true)
        {
            try
            {
                GitOpsLog.DeployStarting(log, pipeline, request.Commit ?? "latest", request.Trigger);
                var entry = await deployer.RunAsync(pipeline, request, _stop.Token).ConfigureAwait(false);
                if (entry is not null)
                {
                    if (entry.Status == "success") GitOpsLog.DeploySucceeded(log, pipeline, entry.Status, entry.Commit, entry.DurationMs);
                    else GitOpsLog.DeployFailed(log, pipeline, entry.Status, entry.Commit, entry.DurationMs, entry.Notes);
                    Deployed?.Invoke(pipeline, entry);
                }
            }
            catch (Exception e)
            {
                GitOpsLog.DeployCrashed(log, pipeline, e.Message);
            }
            lock (_gate)
            {
                if (_stop.IsCancellationRequested || !_pending.Remove(pipeline, out var next) || next is null)
                {
                    _running.Remove(pipeline);
                    return;
                }
                request = next;
            }
        }
    }

    /// <summary>Waits for every running deploy (cancelling them after <paramref name="grace"/>).</summary>
    public async Task DrainAsync(TimeSpan grace)
    {
        Task[] tasks;
        lock (_gate) tasks = [.. _running.Values];
        await Task.WhenAny(Task.WhenAll(tasks), Task.Delay(grace)).ConfigureAwait(false);
        _stop.Cancel();
        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await DrainAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        _stop.Dispose();
    }
}
