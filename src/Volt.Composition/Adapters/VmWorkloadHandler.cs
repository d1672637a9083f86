using Volt.Daemon;
using Volt.Vms.Machines;
using Volt.Workloads.Model;

namespace Volt.Composition.Adapters;

/// <summary>VMs as a workload kind of voltd: <see cref="VmRuntime"/> runs QEMU from <c>volt-vm@NAME.service</c>.</summary>
public sealed class VmWorkloadHandler(VmRuntime runtime) : IWorkloadHandler, IWorkloadLifecycle
{
    private readonly VmDriver _driver = new(runtime.Store);

    public string Kind => Daemon.WorkloadKinds.Vm;

    public VmRuntime Runtime => runtime;

    public Task StartAsync(string name, CancellationToken ct) => runtime.StartAsync(Existing(name), ct);

    /// <summary>How long a guest gets between ACPI powerdown and <c>quit</c> when the caller names no timeout.</summary>
    public static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(10);

    public Task StopAsync(string name, TimeSpan? timeout, CancellationToken ct) =>
        runtime.StopAsync(Existing(name), timeout ?? DefaultStopTimeout, CancellationToken.None);

    public Task RestartAsync(string name, TimeSpan? timeout, CancellationToken ct) => runtime.RestartAsync(Existing(name), timeout ?? DefaultStopTimeout, ct);

    public Task<IReadOnlyList<WorkloadSummary>> ListAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<WorkloadSummary>>([.. _driver.List().Select(w => new WorkloadSummary(
            Kind, w.Name, w.Status.Word(), w.Unit, w.Pid, w.Status == WorkloadStatus.Running ? w.StartedAt : null))]);

    public async Task OnDaemonStartAsync(CancellationToken ct) => await runtime.AdoptAsync(ct).ConfigureAwait(false);

    public async Task OnDaemonStopAsync(TimeSpan timeout)
    {
        await runtime.StopAllAsync(timeout).ConfigureAwait(false);
        await runtime.DisposeAsync().ConfigureAwait(false);
    }

    private string Existing(string name)
    {
        var n = VmName.Validate(name);
        runtime.Store.EnsureExists(n);
        return n;
    }
}
