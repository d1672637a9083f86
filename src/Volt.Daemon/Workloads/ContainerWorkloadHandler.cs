using Volt.Workloads.Containers;
using Volt.Workloads.Runtime;

namespace Volt.Daemon;

/// <summary>Containers as a workload kind: voltd's <see cref="ContainerRuntime"/>; the list is the engine's view.</summary>
public sealed class ContainerWorkloadHandler(ContainerRuntime runtime, ContainerEngine engine, TimeSpan defaultStopTimeout) : IWorkloadHandler
{
    public string Kind => WorkloadKinds.Container;

    public Task StartAsync(string name, CancellationToken ct) => runtime.StartAsync(name, ct);

    // A stop outlives the request that asked for it: a client that gives up must not leave a half-stopped container.
    public Task StopAsync(string name, TimeSpan? timeout, CancellationToken ct) => runtime.StopAsync(name, timeout ?? defaultStopTimeout, CancellationToken.None);

    public async Task RestartAsync(string name, TimeSpan? timeout, CancellationToken ct)
    {
        await runtime.StopAsync(name, timeout ?? defaultStopTimeout, CancellationToken.None).ConfigureAwait(false);
        await runtime.StartAsync(name, ct).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<WorkloadSummary>> ListAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<WorkloadSummary>>([.. engine.List().Select(v => new WorkloadSummary(
            Kind, v.Name, Word(v.Status), Volt.Workloads.Nspawn.UnitRenderer.UnitName(v.Name),
            v.Status == ContainerStatus.Running ? v.State.Pid : null,
            v.Status == ContainerStatus.Running ? v.State.StartedAt : null))]);

    private static string Word(ContainerStatus s) => s switch
    {
        ContainerStatus.Creating => "creating",
        ContainerStatus.Running => "running",
        ContainerStatus.Failed => "failed",
        ContainerStatus.Restarting => "restarting",
        _ => "stopped",
    };
}
