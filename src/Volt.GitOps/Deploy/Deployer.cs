using System.Diagnostics;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.GitOps.Pipelines;
using Volt.GitOps.Sources;

namespace Volt.GitOps.Deploy;

/// <summary>One deploy request: the commit to deploy (null = branch head / latest revision) and what triggered it.</summary>
public sealed record DeployRequest(string? Commit, string Trigger)
{
    /// <summary>
    /// Webhooks set it: a commit that is an ancestor of the deployed one (a stale redelivery, an out-of-order push) is
    /// recorded as <c>stale</c> and not deployed. <c>sync</c> and <c>rollback</c> deploy on purpose and leave it unset.
    /// </summary>
    public bool SkipStale { get; init; }
}

/// <summary>
/// The flow: lock the pipeline, check out the requested commit, detect <c>volt-manifest.yaml</c>, else a stack file
/// (<see cref="StackFiles"/>: deployed by an <see cref="IStackDeployer"/>), deploy, record one history entry. Never throws for a failed deploy: the failure is the entry.
/// </summary>
public sealed class Deployer(PipelineStore store, SourceControl sources, IWorkloadDeployer workloads, TimeProvider time)
{
    public const string ConstellationsMissing = "Constellations are not implemented yet";

    public PipelineStore Store => store;

    /// <summary>Runs one deploy; returns the recorded entry, or null when the pipeline was deleted first.</summary>
    public async Task<HistoryEntry?> RunAsync(string name, DeployRequest request, CancellationToken ct)
    {
        if (!store.Exists(name)) return null;
        using var _ = FileLock.Exclusive(store.LockFile(name));
        var p = store.TryGet(name);
        if (p is null)
        {
            // Deleted while we waited for the lock: remove the lock file our wait recreated, record nothing.
            try { Directory.Delete(store.Dir(name), recursive: true); } catch (IOException) { }
            return null;
        }
        var started = time.GetUtcNow();
        var sw = Stopwatch.StartNew();
        var commit = request.Commit ?? "-";
        string status = "failed", notes;
        var invalidConfig = false;
        try
        {
            commit = await sources.CheckoutAsync(p, store.RepoDir(name), request.Commit, ct).ConfigureAwait(false);
            var repo = store.RepoDir(name);
            if (request.SkipStale && !p.IsSvn && store.Deployed(name) is { } deployed
                && await sources.IsAncestorAsync(repo, commit, deployed, ct).ConfigureAwait(false))
            {
                var entryStale = new HistoryEntry
                {
                    Timestamp = started, Commit = commit, Branch = p.Branch, Status = "stale",
                    DurationMs = (long)sw.Elapsed.TotalMilliseconds, Trigger = request.Trigger,
                    Notes = commit == deployed ? "stale: already deployed" : $"stale: an ancestor of the deployed {deployed[..Math.Min(7, deployed.Length)]}, not deployed",
                };
                store.Append(name, entryStale);
                return entryStale;
            }
            string? changed = null;
            if (StackFiles.Find(repo) is { } stackFile && workloads is IStackDeployer stacks)
                changed = await stacks.DeployStackAsync(new StackSpec(p.Workload, stackFile, repo, commit, store.Dir(name)), ct).ConfigureAwait(false);
            else
            {
                var manifest = Detect(repo);
                var spec = new WorkloadSpec(p.Workload, manifest, repo, commit, store.Dir(name));
                if (manifest.Name is { } n && n != p.Workload)
                    throw new ManifestException($"{ManifestParser.FileName}: name \"{n}\" does not match the pipeline's workload \"{p.Workload}\"");
                await workloads.DeployAsync(spec, ct).ConfigureAwait(false);
            }
            store.SetDeployed(name, commit);
            status = "success";
            notes = changed is null ? request.Trigger : $"{request.Trigger}: {changed}";
        }
        catch (ManifestException e)
        {
            notes = e.Message;
            invalidConfig = true;
        }
        catch (Exception e) when (e is SourceException or VoltException or IOException or UnauthorizedAccessException)
        {
            notes = e.Message;
            invalidConfig = e is VoltException { Code: ExitCode.InvalidConfig };
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            notes = "cancelled";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever else goes wrong still becomes a failed entry: the history never keeps showing the last success.
            notes = $"unexpected error: {e.Message}";
        }
        var entry = new HistoryEntry
        {
            Timestamp = started, Commit = commit, Branch = p.Branch, Status = status,
            DurationMs = (long)sw.Elapsed.TotalMilliseconds, Trigger = request.Trigger, Notes = notes, InvalidConfig = invalidConfig,
        };
        store.Append(name, entry);
        return entry;
    }

    /// <summary>volt-manifest.yaml, else Voltfile, else volt-compose.yaml in the repository root.</summary>
    public static Manifest Detect(string repo)
    {
        var manifest = Path.Combine(repo, ManifestParser.FileName);
        if (File.Exists(manifest)) return ManifestParser.Parse(File.ReadAllText(manifest));
        if (File.Exists(Path.Combine(repo, "Voltfile")) || File.Exists(Path.Combine(repo, "volt-compose.yaml")))
            throw new VoltException(ExitCode.General, ConstellationsMissing); // a missing feature, not an invalid manifest (exit 1)
        throw new ManifestException("no volt-manifest.yaml, Voltfile or volt-compose.yaml in the repository root");
    }
}
