using Microsoft.Extensions.Logging;
using Volt.GitOps.Deploy;
using Volt.GitOps.Pipelines;
using Volt.GitOps.Sources;

namespace Volt.GitOps.Hosting;

/// <summary>
/// Polls every SVN pipeline at its <c>--poll-interval</c> for a new last-changed revision of the tracked path and
/// queues a deploy of that revision. Runs inside <c>gitops serve</c>; pipelines created later are picked up.
/// </summary>
public sealed class SvnPoller(PipelineStore store, SourceControl sources, DeployQueue queue, TimeProvider time, ILogger log)
{
    private readonly Dictionary<string, DateTimeOffset> _next = [];
    private readonly Dictionary<string, string> _seen = [];

    private readonly HashSet<string> _reported = [];

    // A damaged pipeline file never stops the others' polling; each distinct problem is logged once.
    private void Corrupt(Volt.Core.Errors.VoltException e)
    {
        if (_reported.Add(e.Message)) GitOpsLog.PollSkipped(log, e.Message);
    }

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            foreach (var p in store.List(Corrupt).Where(p => p.IsSvn && !p.Paused))
            {
                var now = time.GetUtcNow();
                if (_next.TryGetValue(p.Name, out var due) && now < due) continue;
                _next[p.Name] = now + TimeSpan.FromSeconds(Math.Max(1, p.PollInterval));
                try
                {
                    var rev = await sources.SvnRevisionAsync(p, ct).ConfigureAwait(false);
                    var last = _seen.GetValueOrDefault(p.Name) ?? store.Deployed(p.Name);
                    if (rev == last) continue;
                    _seen[p.Name] = rev;
                    queue.Enqueue(p.Name, new DeployRequest(rev, "poll (svn)"));
                }
                catch (SourceException e) { GitOpsLog.PollFailed(log, p.Name, e.Message); }
                catch (OperationCanceledException) { return; }
            }
            try { await Task.Delay(TimeSpan.FromMilliseconds(500), time, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }
}
