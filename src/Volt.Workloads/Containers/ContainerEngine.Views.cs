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
}

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
        var status = state.Status switch
        {
            ContainerStatus.Creating when state.CreatorPid is { } c && Posix.ProcessExists(c) => ContainerStatus.Creating,
            ContainerStatus.Creating => ContainerStatus.Failed,
            ContainerStatus.Running when state.Pid is { } p && ProcFs.IsAlive(p)
                && NspawnCommand.Matches(ProcFs.Cmdline(p), name, Store.Rootfs(name)) => ContainerStatus.Running,
            ContainerStatus.Running => ContainerStatus.Stopped,
            var s => s,
        };
        var health = config?.Healthcheck is null ? null : Store.Health(name);
        if (config?.Healthcheck is not null && status == ContainerStatus.Running && health?.StartedAt != state.StartedAt)
            health = new Health.HealthState { StartedAt = state.StartedAt };
        return new ContainerView(name, config, state, status) { Health = health };
    }

    public IReadOnlyList<ContainerView> List() => [.. Store.Names().Select(View)];

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
