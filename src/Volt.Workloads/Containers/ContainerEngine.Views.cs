using Volt.Core.IO;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Nspawn;
using Volt.Workloads.Runtime;

namespace Volt.Workloads.Containers;

/// <summary>A container as the views show it: config + state with the status re-checked against /proc.</summary>
public sealed record ContainerView(string Name, ContainerConfig? Config, ContainerState State, ContainerStatus Status)
{
    /// <summary>
    /// The health check's state for containers that have one: of the current run while running (<c>starting</c> until a
    /// check has run), else the last run's record (null when none ran).
    /// </summary>
    public Health.HealthState? Health { get; init; }
    /// <summary>The container's record directory (its last start's <c>sandbox.json</c> report is there).</summary>
    public string? Dir { get; init; }
}

/// <summary>
/// A container as a listing row shows it (<see cref="ContainerEngine.Summaries"/>): <see cref="State"/> holds only
/// status, pid, ip, started_at, restart and creator_pid (<see cref="ContainerStore.ListingState"/>).
/// </summary>
/// <param name="Image">The config's image; null when the container has no config (an interrupted create).</param>
/// <param name="Health">As <see cref="ContainerView.Health"/>, with its status and started_at only.</param>
public sealed record ContainerSummary(string Name, string? Image, ContainerState State, ContainerStatus Status, Health.HealthState? Health);

public sealed partial class ContainerEngine
{
    /// <summary>
    /// The truth for ps/inspect without asking a supervisor: "running" only if the recorded nspawn is alive and is this
    /// container's; a create whose process died is "failed".
    /// </summary>
    public ContainerView View(string name)
    {
        var state = Store.State(name);
        var config = Store.TryConfig(name);
        var status = Status(name, state);
        var health = config?.Healthcheck is null ? null : CurrentHealth(Store.Health(name), state, status);
        return new ContainerView(name, config, state, status) { Health = health, Dir = Store.Dir(name) };
    }

    public IReadOnlyList<ContainerView> List() => [.. Store.Names().Select(View)];

    /// <summary>
    /// Every container as <c>volt ps</c> and <c>container list</c> show it: the same status and health as
    /// <see cref="View"/>, from the few fields a row shows (<see cref="ContainerStore.ListingState"/>), without the
    /// whole config, its environment file or the serializer.
    /// </summary>
    public IReadOnlyList<ContainerSummary> Summaries() => [.. Store.Names().Select(Summary)];

    public ContainerSummary Summary(string name)
    {
        var state = Store.ListingState(name);
        var config = Store.ListingConfig(name);
        var status = Status(name, state);
        var health = config is { Healthcheck: true } ? CurrentHealth(Store.ListingHealth(name), state, status) : null;
        return new ContainerSummary(name, config?.Image, state, status, health);
    }

    /// <summary>The recorded status re-checked: "running" only if the recorded nspawn is alive and is this container's.</summary>
    private ContainerStatus Status(string name, ContainerState state) => state.Status switch
    {
        ContainerStatus.Creating when state.CreatorPid is { } c && Posix.ProcessExists(c) => ContainerStatus.Creating,
        ContainerStatus.Creating => ContainerStatus.Failed,
        ContainerStatus.Running when state.Pid is { } p && ProcFs.IsAlive(p)
            && NspawnCommand.Matches(ProcFs.Cmdline(p), name, Store.Rootfs(name)) => ContainerStatus.Running,
        ContainerStatus.Running => ContainerStatus.Stopped,
        var s => s,
    };

    /// <summary>A running container's record from an earlier run reads as <c>starting</c> (no check of this run yet).</summary>
    private static Health.HealthState? CurrentHealth(Health.HealthState? health, ContainerState state, ContainerStatus status) =>
        status == ContainerStatus.Running && health?.StartedAt != state.StartedAt ? new Health.HealthState { StartedAt = state.StartedAt } : health;

    /// <summary>cgroup figures of a running container (null when it has no group).</summary>
    public CgroupStats? Stats(string name)
    {
        var cg = ContainerHost.CgroupName(name);
        return host.Cgroups.Exists(cg) ? host.Cgroups.Stats(cg) : null;
    }

    /// <summary>The container's PID 1 (nspawn's child) once it is in all its namespaces, for exec.</summary>
    public int? InitPid(string name)
    {
        var v = View(name);
        return v.Status == ContainerStatus.Running && v.State.Pid is { } p ? ProcFs.ContainerInit(p) : null;
    }

    /// <summary>
    /// <see cref="InitPid"/>, waiting up to <paramref name="timeout"/> for a container that was just started (start
    /// returns when PID 1 exists; nspawn finishes its namespaces a few milliseconds later). Null when not running.
    /// </summary>
    public async Task<int?> WaitInitPidAsync(string name, TimeSpan timeout, CancellationToken ct = default)
    {
        var until = host.Time.GetUtcNow() + timeout;
        while (true)
        {
            var v = View(name);
            if (v.Status != ContainerStatus.Running) return null;
            if (v.State.Pid is { } p && ProcFs.ContainerInit(p) is { } pid) return pid;
            if (host.Time.GetUtcNow() >= until) return null;
            await Task.Delay(5, ct).ConfigureAwait(false);
        }
    }

    public ICgroupDriver Cgroups => host.Cgroups;
    public ContainerStore Records => Store;
}
