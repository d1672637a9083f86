using Volt.Core.Errors;

namespace Volt.Daemon;

/// <summary>The handlers of one voltd, keyed by kind (at most one per kind).</summary>
public sealed class WorkloadHandlers
{
    private readonly IWorkloadHandler[] _handlers;

    public WorkloadHandlers(IEnumerable<IWorkloadHandler> handlers)
    {
        _handlers = [.. handlers];
        foreach (var h in _handlers)
        {
            if (!WorkloadKinds.All.Contains(h.Kind))
                throw new ArgumentException($"workload handler {h.GetType().Name}: unknown kind \"{h.Kind}\" (expected {string.Join(", ", WorkloadKinds.All)})");
            if (_handlers.Count(o => o.Kind == h.Kind) > 1) throw new ArgumentException($"two workload handlers for kind \"{h.Kind}\"");
        }
        Kinds = [.. WorkloadKinds.All.Where(k => _handlers.Any(h => h.Kind == k))];
    }

    /// <summary>The kinds this voltd runs, in <see cref="WorkloadKinds.All"/> order.</summary>
    public IReadOnlyList<string> Kinds { get; }

    public IReadOnlyList<IWorkloadHandler> All => _handlers;

    /// <summary>The handler for <paramref name="kind"/>: unknown kind → 2, a kind this voltd does not run → 3.</summary>
    public IWorkloadHandler For(string kind)
    {
        foreach (var h in _handlers)
            if (h.Kind == kind) return h;
        throw WorkloadKinds.All.Contains(kind)
            ? VoltException.NotFound($"this voltd runs no {kind} workloads (it runs: {string.Join(", ", Kinds)})")
            : VoltException.Usage($"unknown workload kind \"{kind}\": expected {string.Join(", ", WorkloadKinds.All)}");
    }
}
