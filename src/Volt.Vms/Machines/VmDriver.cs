using Volt.Workloads.Cgroups;
using Volt.Workloads.Model;
using Volt.Workloads.Services;

namespace Volt.Vms.Machines;

/// <summary>
/// The vm kind for <c>volt ps|top|stats</c>: rows from state.json and config.json, re-checked against /proc; usage
/// from QEMU's cgroup (<c>vm@NAME</c>) and the guest's memory from QMP (<c>query-balloon</c>, and the balloon
/// driver's statistics the runtime asks QEMU to poll).
/// </summary>
public sealed class VmDriver(VmStore store, Func<ICgroupDriver>? cgroups = null) : IWorkloadStatsSource
{
    /// <summary>How long one VM's QMP may take to answer a sample (a hung QEMU must not hang <c>volt top</c>).</summary>
    public static readonly TimeSpan SampleTimeout = TimeSpan.FromSeconds(1);

    public async Task<IReadOnlyList<WorkloadStats>> StatsAsync(CancellationToken ct = default)
    {
        var running = List().Where(w => w.Status == WorkloadStatus.Running).ToList();
        var rows = await Task.WhenAll(running.Select(async w =>
        {
            CgroupStats? usage = null;
            if (cgroups?.Invoke() is { } cg && w.Cgroup is { } g && cg.Exists(g)) usage = cg.Stats(g);
            var (actual, used) = await GuestMemoryAsync(w.Name, ct).ConfigureAwait(false);
            return new WorkloadStats(w, usage, actual, used);
        })).ConfigureAwait(false);
        return rows;
    }

    /// <summary>The balloon's <c>actual</c> and, when the guest's driver reports statistics, total minus available.</summary>
    public async Task<(long? Actual, long? Used)> GuestMemoryAsync(string name, CancellationToken ct = default)
    {
        try
        {
            await using var qmp = await Qemu.QmpClient.ConnectAsync(store.QmpSocket(name), SampleTimeout, ct).ConfigureAwait(false);
            var actual = (await qmp.ExecuteAsync("query-balloon", null, ct).ConfigureAwait(false))?["actual"]?.GetValue<long>();
            long? used = null;
            try
            {
                var stats = (await qmp.ExecuteAsync("qom-get", new System.Text.Json.Nodes.JsonObject
                    { ["path"] = VmRuntime.BalloonPath, ["property"] = "guest-stats" }, ct).ConfigureAwait(false))?["stats"];
                var total = stats?["stat-total-memory"]?.GetValue<long>() ?? -1;
                var available = stats?["stat-available-memory"]?.GetValue<long>() ?? -1;
                if (total > 0 && available >= 0) used = total - available;
            }
            catch (Core.Errors.VoltException) { }
            return (actual, used);
        }
        catch (Core.Errors.VoltException) { return (null, null); }
        catch (IOException) { return (null, null); }
    }

    public WorkloadKind Kind => WorkloadKind.Vm;

    public VmStore Store => store;

    public string UnitName(string name) => VmName.UnitName(name);

    public IReadOnlyList<WorkloadInfo> List() => [.. store.Names().Select(Info)];

    public WorkloadInfo? Find(string name)
    {
        string n;
        try { n = VmName.Validate(name); } catch (Core.Errors.VoltException) { return null; }
        return store.Exists(n) ? Info(n) : null;
    }

    public WorkloadInfo Info(string name)
    {
        var config = store.Config(name);
        var state = store.State(name);
        var alive = ProcessIdentity.IsAlive(state.Pid, state.PidStartTime);
        var status = state.Status switch
        {
            WorkloadStatus.Running or WorkloadStatus.Starting when !alive => WorkloadStatus.Failed,
            var s => s,
        };
        var running = status is WorkloadStatus.Running or WorkloadStatus.Starting;
        return new WorkloadInfo(WorkloadKind.Vm, name, UnitName(name), status,
            Pid: running ? state.Pid : null, StartedAt: state.StartedAt, FinishedAt: state.FinishedAt, ExitCode: state.ExitCode,
            Restarts: state.Restart?.Attempt ?? state.Restarts,
            Resources: new ResourceLimits(config.MemoryMiB << 20, config.Cpus * 100, null),
            Detail: Detail(config, state), Ip: running ? state.Ip : null, Supervisor: state.Supervisor,
            Cgroup: VmStore.CgroupName(name), LogFile: store.LogFile(name));
    }

    /// <summary>What <c>volt ps</c> shows in IMAGE for a VM: the image (or disk), the profile and the accelerator.</summary>
    public static string Detail(VmConfig c, VmState s)
    {
        var what = c.Image ?? Path.GetFileName(c.DiskSource ?? "");
        var kernel = c.Kernel is null ? "" : $" kernel={c.Kernel}";
        var accel = s.Accel is null ? $" accel={c.Accel}" : $" accel={s.Accel}";
        return what + kernel + accel;
    }
}
