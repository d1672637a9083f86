namespace Volt.Compose.Planning;

/// <summary>What to do with one instance.</summary>
public enum ActionKind
{
    /// <summary>Same hash and present: nothing (started if it is not running).</summary>
    Keep,
    Create,
    /// <summary>Settings changed (or <c>--force-recreate</c>): replace <see cref="PlannedAction.Previous"/>.</summary>
    Recreate,
    /// <summary>Not desired any more (fewer replicas, a removed service with <c>--remove-orphans</c>).</summary>
    Remove,
}

public sealed record PlannedAction(ActionKind Kind, string Service, InstanceSpec? Desired, InstanceSpec? Previous)
{
    public string Instance => Desired?.Name ?? Previous!.Name;
}

public sealed record Plan(IReadOnlyList<PlannedAction> Actions)
{
    public IEnumerable<PlannedAction> For(string service) => Actions.Where(a => a.Service == service);
}

/// <summary>
/// Diffs the resolved stack against what runs: per instance, its config hash against the recorded one decides
/// keep or recreate; missing ones are created; instances no service wants are removed (orphans only when asked).
/// </summary>
public static class Planner
{
    public static Plan Diff(ResolvedStack desired, StackState? current, Func<string, bool> exists, PlanOptions options)
    {
        var actions = new List<PlannedAction>();
        var recorded = current?.Instances ?? new SortedDictionary<string, InstanceSpec>(StringComparer.Ordinal);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in desired.Services)
        {
            if (options.Services.Count > 0 && !options.Services.Contains(s.Name)) continue;
            foreach (var d in s.Instances)
            {
                wanted.Add(d.Name);
                var present = exists(d.Name);
                // A recreate may have moved the instance to its start-first twin: look for the recorded one by index.
                var prev = recorded.Values.FirstOrDefault(r => r.Service == s.Name && r.Index == d.Index);
                if (prev is not null) wanted.Add(prev.Name);
                if (prev is not null && exists(prev.Name))
                {
                    var same = prev.Hash == d.Hash && !options.ForceRecreate;
                    actions.Add(same ? new PlannedAction(ActionKind.Keep, s.Name, prev with { Strategy = d.Strategy, StopGraceSeconds = d.StopGraceSeconds }, prev)
                        : new PlannedAction(ActionKind.Recreate, s.Name, d, prev));
                }
                else if (present)
                    // Exists but not recorded (an up killed between create and save): its settings are unknown, replace it.
                    actions.Add(new PlannedAction(ActionKind.Recreate, s.Name, d, d));
                else
                    actions.Add(new PlannedAction(ActionKind.Create, s.Name, d, null));
            }
            foreach (var extra in recorded.Values.Where(r => r.Service == s.Name && r.Index > s.Instances.Count))
            {
                wanted.Add(extra.Name);
                actions.Add(new PlannedAction(ActionKind.Remove, s.Name, null, extra));
            }
        }
        var known = desired.Services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var orphan in recorded.Values.Where(r => !known.Contains(r.Service)))
            if (options.RemoveOrphans) actions.Add(new PlannedAction(ActionKind.Remove, orphan.Service, null, orphan));
        return new Plan(actions);
    }
}

public sealed record PlanOptions
{
    public bool ForceRecreate { get; init; }
    public bool RemoveOrphans { get; init; }
    /// <summary>Only these services (with their dependencies, added by the caller unless <c>--no-deps</c>); empty = all.</summary>
    public IReadOnlySet<string> Services { get; init; } = new HashSet<string>();
}
