using Volt.Core.Errors;
using Volt.Workloads.Containers;
using Volt.Workloads.Model;
using Volt.Workloads.Runtime;
using Volt.Workloads.Services;

namespace Volt.Workloads.Supervision;

/// <summary>
/// voltd's own supervision behind <see cref="IWorkloadSupervisor"/>: services through <see cref="ServiceRuntime"/>,
/// containers through <see cref="ContainerRuntime"/> (when given). This is what runs inside voltd; the CLI reaches it
/// through voltd's API.
/// </summary>
public sealed class VoltdSupervisor(ServiceRuntime services, ContainerRuntime? containers = null, ContainerDriver? containerViews = null) : IWorkloadSupervisor
{
    private readonly ServiceDriver _serviceDriver = new(services.Store);

    public string Name => services.Label;

    public IReadOnlyList<WorkloadKind> Kinds => containers is null ? [WorkloadKind.Service] : [WorkloadKind.Container, WorkloadKind.Service];

    public ServiceRuntime Services => services;

    public Task StartAsync(WorkloadKind kind, string name, CancellationToken ct = default) => kind switch
    {
        WorkloadKind.Service => services.StartAsync(name, ct),
        WorkloadKind.Container when containers is not null => containers.StartAsync(name, ct),
        _ => throw Unsupported(kind),
    };

    public Task StopAsync(WorkloadKind kind, string name, TimeSpan? timeout = null, CancellationToken ct = default) => kind switch
    {
        WorkloadKind.Service => services.StopAsync(name, timeout, ct),
        WorkloadKind.Container when containers is not null => containers.StopAsync(name, timeout ?? TimeSpan.FromSeconds(10), ct),
        _ => throw Unsupported(kind),
    };

    public async Task RestartAsync(WorkloadKind kind, string name, CancellationToken ct = default)
    {
        if (kind == WorkloadKind.Service) { await services.RestartAsync(name, null, ct).ConfigureAwait(false); return; }
        await StopAsync(kind, name, null, ct).ConfigureAwait(false);
        await StartAsync(kind, name, ct).ConfigureAwait(false);
    }

    public Task EnableAsync(WorkloadKind kind, string name, bool enable, CancellationToken ct = default)
    {
        if (kind != WorkloadKind.Service) throw Unsupported(kind);
        services.Store.EnsureExists(name);
        services.Store.SetEnabled(name, enable);
        return Task.CompletedTask;
    }

    /// <summary>voltd reads the unit at every start: nothing to reload.</summary>
    public Task ReloadAsync(CancellationToken ct = default) => Task.CompletedTask;

    public WorkloadInfo Status(WorkloadKind kind, string name) => kind switch
    {
        WorkloadKind.Service => _serviceDriver.Find(name) ?? throw VoltException.NotFound($"service \"{name}\" not found"),
        WorkloadKind.Container when containerViews is not null => containerViews.Find(name) ?? throw VoltException.NotFound($"container \"{name}\" not found"),
        _ => throw Unsupported(kind),
    };

    public LogSource Logs(WorkloadKind kind, string name) => LogSource.OfFile(Status(kind, name).LogFile!);

    public Cgroups.CgroupStats? Stats(WorkloadKind kind, string name)
    {
        var cg = Status(kind, name).Cgroup;
        var cgroups = services.Launcher.Cgroups;
        return cg is not null && cgroups.Exists(cg) ? cgroups.Stats(cg) : null;
    }

    public async Task<IReadOnlyList<string>> AdoptAsync(CancellationToken ct = default)
    {
        var adopted = new List<string>();
        if (containers is not null) adopted.AddRange(await containers.AdoptAsync().ConfigureAwait(false));
        adopted.AddRange(await services.AdoptAsync(ct).ConfigureAwait(false));
        return adopted;
    }

    private static VoltException Unsupported(WorkloadKind kind) => VoltException.Usage($"voltd does not supervise {kind.Word()} workloads here");
}
