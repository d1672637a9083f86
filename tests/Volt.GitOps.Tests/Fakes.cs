using System.Collections.Concurrent;
using Volt.GitOps.Deploy;
using Volt.GitOps.Pipelines;

namespace Volt.GitOps.Tests;

/// <summary>Records what would be deployed (the container path is covered by the root end-to-end test).</summary>
internal sealed class RecordingDeployer : IWorkloadDeployer
{
    public ConcurrentQueue<WorkloadSpec> Deployed { get; } = new();
    public TimeSpan Delay { get; set; }
    /// <summary>When set, every deploy waits for it (a test opens it): what runs "during a deploy" without a clock.</summary>
    public TaskCompletionSource? Gate { get; set; }
    public int Running;
    public int MaxConcurrent;

    public async Task DeployAsync(WorkloadSpec spec, CancellationToken ct)
    {
        var now = Interlocked.Increment(ref Running);
        MaxConcurrent = Math.Max(MaxConcurrent, now);
        try
        {
            if (Delay > TimeSpan.Zero) await Task.Delay(Delay, ct);
            if (Gate is { } gate) await gate.Task.WaitAsync(ct);
            Deployed.Enqueue(spec);
        }
        finally { Interlocked.Decrement(ref Running); }
    }
}

internal static class Wait
{
    public static async Task Until(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    public static async Task<IReadOnlyList<HistoryEntry>> ForHistory(PipelineStore store, string name, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            var h = store.History(name);
            if (h.Count >= count) return h;
            await Task.Delay(50);
        }
        throw new TimeoutException($"pipeline {name}: fewer than {count} history entries after the timeout: {string.Join(" | ", store.History(name).Select(e => e.Notes))}");
    }
}
