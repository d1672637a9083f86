using Volt.GitOps.Pipelines;

namespace Volt.GitOps.Deploy;

/// <summary>
/// Background deploys, one at a time per pipeline. A request arriving while that pipeline deploys replaces any
/// waiting one, so a burst of pushes coalesces into one next deploy of the newest commit.
/// </summary>
public sealed class DeployQueue(Deployer deployer, Action<string> log) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DeployRequest?> _pending = [];
    private readonly Dictionary<string, Task> _running = [];
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Raised after each recorded deploy (tests and metrics).</summary>
    public event Action<string, HistoryEntry>? Deployed;

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
                log($"deploy {pipeline}: {request.Commit ?? "latest"} ({request.Trigger})");
                var entry = await deployer.RunAsync(pipeline, request, _stop.Token).ConfigureAwait(false);
                if (entry is not null)
                {
                    log($"deploy {pipeline}: {entry.Status} {entry.Commit} in {entry.DurationMs} ms{(entry.Status == "success" ? "" : ": " + entry.Notes)}");
                    Deployed?.Invoke(pipeline, entry);
                }
            }
            catch (Exception e)
            {
                log($"deploy {pipeline}: unexpected error: {e.Message}");
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
