using Volt.Compose.Execution;
using Volt.Compose.Loading;
using Volt.Compose.Planning;
using Volt.GitOps.Deploy;

namespace Volt.Composition.Adapters;

/// <summary>
/// GitOps deploying a stack repository: the file is loaded as <c>volt compose -p WORKLOAD -f FILE up -d
/// --remove-orphans</c> would (the checkout is the project directory) and applied by the same orchestrator, so only
/// the instances whose config hash changed are recreated. The notes name what changed.
/// </summary>
public sealed partial class ContainerWorkloadDeployer : IStackDeployer
{
    public async Task<string> DeployStackAsync(StackSpec spec, CancellationToken ct)
    {
        var model = StackLoader.Load(new LoadOptions { Files = [spec.File], WorkingDir = spec.RepoDir, ProjectName = spec.Stack });
        var resolved = Resolver.Resolve(model, engines.ComposeContext(model.Name));
        var before = engines.ComposeState.TryLoad(model.Name)?.Instances.Keys.ToHashSet(StringComparer.Ordinal) ?? [];
        var wasUp = await VoltdListeningAsync(ct).ConfigureAwait(false);
        var supervisor = await engines.SupervisorAsync(ct).ConfigureAwait(false);
        if (wasUp == false && supervisor.Name == "voltd") StartedVoltd = true;
        var progress = new Changes();
        await engines.Orchestrator(model.Name).UpAsync(model, resolved, new UpOptions { Plan = new PlanOptions { RemoveOrphans = true } }, progress, ct)
            .ConfigureAwait(false);
        string Words(string phase, Func<StackProgress, bool> which)
        {
            var names = progress.Seen.Where(p => p.Phase == phase && which(p)).Select(p => p.Service).Where(s => s.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList();
            return string.Join(", ", names);
        }
        var created = Words("created", p => !before.Contains(p.Instance));
        var recreated = Words("created", p => before.Contains(p.Instance));
        var removed = Words("removed", _ => true);
        var parts = new List<string>();
        if (created.Length > 0) parts.Add("created " + created);
        if (recreated.Length > 0) parts.Add("recreated " + recreated);
        if (removed.Length > 0) parts.Add("removed " + removed);
        return $"stack {model.Name}: {(parts.Count == 0 ? "unchanged" : string.Join("; ", parts))}";
    }

    private sealed class Changes : IProgress<StackProgress>
    {
        private readonly Lock _lock = new();
        public List<StackProgress> Seen { get; } = [];
        public void Report(StackProgress value) { lock (_lock) Seen.Add(value); }
    }
}
