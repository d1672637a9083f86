using Volt.Workloads.Model;
using Volt.Workloads.Services;

namespace Volt.Daemon;

/// <summary>
/// Services as a workload kind of voltd: <see cref="ServiceRuntime"/> runs <c>NAME.service</c> units itself (where
/// systemd is not PID 1). On voltd's start it re-adopts what an earlier voltd started and starts enabled services; on
/// SIGTERM it stops them, newest first.
/// </summary>
public sealed class ServiceWorkloadHandler(ServiceRuntime runtime) : IWorkloadHandler, IWorkloadLifecycle, IWorkloadStartDetail
{
    private readonly ServiceDriver _driver = new(runtime.Store);

    public string Kind => WorkloadKinds.Service;

    public ServiceRuntime Runtime => runtime;

    public Task StartAsync(string name, CancellationToken ct) => runtime.StartAsync(Normalize(name), ct);

    // A stop outlives the request that asked for it (as for containers).
    public Task StopAsync(string name, TimeSpan? timeout, CancellationToken ct) => runtime.StopAsync(Normalize(name), timeout, CancellationToken.None);

    public Task RestartAsync(string name, TimeSpan? timeout, CancellationToken ct) => runtime.RestartAsync(Normalize(name), timeout, ct);

    public Task<IReadOnlyList<WorkloadSummary>> ListAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<WorkloadSummary>>([.. _driver.List().Select(w => new WorkloadSummary(
            Kind, w.Name, w.Status.Word(), w.Unit, w.Pid, w.Status == WorkloadStatus.Running ? w.StartedAt : null))]);

    /// <summary>The sandbox report's summary of the service's last start (the detail of voltd's <c>service.start</c> line).</summary>
    public string? StartDetail(string name) => Volt.Sandbox.SandboxHelper.ReadReport(runtime.Store.Dir(Normalize(name)))?.Summary();

    public async Task OnDaemonStartAsync(CancellationToken ct) => await runtime.AdoptAsync(ct).ConfigureAwait(false);

    public async Task OnDaemonStopAsync(TimeSpan timeout)
    {
        await runtime.StopAllAsync().ConfigureAwait(false);
        await runtime.DisposeAsync().ConfigureAwait(false);
    }

    private static string Normalize(string name)
    {
        var n = ServiceName.Normalize(name);
        return n;
    }
}
