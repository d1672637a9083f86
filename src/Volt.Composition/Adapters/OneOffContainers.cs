namespace Volt.Composition.Adapters;

/// <summary>
/// The one-off containers of <c>volt compose run</c> (<c>STACK-SERVICE-run-XXXXXX</c>). Their network is wired before
/// their command runs by the container runtime itself, as for every networked container (docs/networking.md).
/// </summary>
public static class OneOffContainers
{
    /// <summary>
    /// <c>down</c>'s part for one-off containers kept after their run (no <c>--rm</c>): every stopped one of the stack
    /// is deleted; a running one (a <c>run</c> still in the foreground) is left to its run. Returns the names deleted.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RemoveKeptAsync(Engines engines, string stack, CancellationToken ct)
    {
        var removed = new List<string>();
        foreach (var c in engines.Containers.List())
        {
            if (!c.Name.StartsWith(stack + "-", StringComparison.Ordinal) || !IsOneOffName(c.Name)) continue;
            if (c.Status is Volt.Workloads.Containers.ContainerStatus.Running or Volt.Workloads.Containers.ContainerStatus.Restarting) continue;
            await engines.Containers.DeleteAsync(c.Name, ct).ConfigureAwait(false);
            removed.Add(c.Name);
        }
        return removed;
    }

    private static bool IsOneOffName(string name)
    {
        var i = name.LastIndexOf("-run-", StringComparison.Ordinal);
        return i > 0 && name.Length == i + 11 && !name.AsSpan(i + 5).ContainsAnyExcept("0123456789abcdef");
    }
}
