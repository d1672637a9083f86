using Volt.Workloads.Cgroups;
using Volt.Workloads.Model;
using Volt.Workloads.Services;

namespace Volt.Daemon;

/// <summary>
/// voltd's supervision of services as the CLI sees it: start, stop and restart go to voltd (started on demand);
/// status, logs and stats are read from the records and cgroups directly (they work while voltd is down); enable is
/// the <c>enabled</c> marker voltd reads when it starts.
/// </summary>
/// <param name="cgroups">Asked for only by <see cref="Stats"/>: detecting the hierarchy (files under /sys/fs/cgroup)
/// was a share of every <c>volt service start</c>'s CLI, which never reads a cgroup.</param>
public sealed class DaemonServiceSupervisor(DaemonClient client, ServiceStore store, Func<ICgroupDriver> cgroups) : IWorkloadSupervisor
{
    private readonly ServiceDriver _driver = new(store);

    public string Name => "voltd";

    public IReadOnlyList<WorkloadKind> Kinds => [WorkloadKind.Service];

    public Task StartAsync(WorkloadKind kind, string name, CancellationToken ct = default) =>
        client.StartWorkloadAsync(Word(kind), name, ct);

    // No timeout: voltd applies the unit's TimeoutStopSec= (it has the unit parsed already).
    public Task StopAsync(WorkloadKind kind, string name, TimeSpan? timeout = null, CancellationToken ct = default) =>
        client.StopWorkloadAsync(Word(kind), name, timeout, ct);

    public Task RestartAsync(WorkloadKind kind, string name, CancellationToken ct = default) =>
        client.RestartWorkloadAsync(Word(kind), name, null, ct);

    public Task EnableAsync(WorkloadKind kind, string name, bool enable, CancellationToken ct = default)
    {
        store.EnsureExists(name);
        store.SetEnabled(name, enable);
        return Task.CompletedTask;
    }

    public Task ReloadAsync(CancellationToken ct = default) => Task.CompletedTask;

    public WorkloadInfo Status(WorkloadKind kind, string name) =>
        _driver.Find(name) ?? throw Core.Errors.VoltException.NotFound($"service \"{name}\" not found");

    public LogSource Logs(WorkloadKind kind, string name) => LogSource.OfFile(store.LogFile(name));

    public CgroupStats? Stats(WorkloadKind kind, string name)
    {
        var cg = ServiceStore.CgroupName(name);
        if (Status(kind, name).Status != WorkloadStatus.Running) return null;
        var driver = cgroups();
        return driver.Exists(cg) ? driver.Stats(cg) : null;
    }

    /// <summary>voltd adopts on its own start; nothing for the CLI to do.</summary>
    public Task<IReadOnlyList<string>> AdoptAsync(CancellationToken ct = default) => Task.FromResult<IReadOnlyList<string>>([]);

    private static string Word(WorkloadKind kind) => kind.Word();
}
