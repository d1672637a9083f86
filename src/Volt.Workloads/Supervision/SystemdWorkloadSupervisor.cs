using System.Globalization;
using Volt.Core.Errors;
using Volt.Core.Processes;
using Volt.Workloads.Model;
using Volt.Workloads.Services;

namespace Volt.Workloads.Supervision;

/// <summary>
/// Where systemd is PID 1: every workload's unit stays in <c>/var/lib/volt/units</c> (the single truth) and is linked
/// into <c>/etc/systemd/system</c> (<c>systemctl link</c>); start, stop, enable, disable and daemon-reload are
/// <c>systemctl</c>; logs are the journal. state.json records the MainPID so <c>volt ps</c> reads the same way under
/// both supervisors. Containers keep their own <see cref="SystemdSupervisor"/> (health units linked with them).
/// </summary>
public sealed class SystemdWorkloadSupervisor(ServiceStore services, IProcessRunner runner, TimeProvider time, SystemdSupervisor? containers = null) : IWorkloadSupervisor
{
    public string Name => "systemd";

    public IReadOnlyList<WorkloadKind> Kinds => containers is null ? [WorkloadKind.Service] : [WorkloadKind.Container, WorkloadKind.Service];

    public async Task StartAsync(WorkloadKind kind, string name, CancellationToken ct = default)
    {
        if (kind == WorkloadKind.Container && containers is not null) { await containers.StartAsync(name, ct).ConfigureAwait(false); return; }
        Require(kind);
        services.EnsureExists(name);
        await LinkAsync(name, ct).ConfigureAwait(false);
        await Systemctl(ct, "start", ServiceName.UnitName(name)).ConfigureAwait(false);
        await RecordAsync(name, ct).ConfigureAwait(false);
    }

    public async Task StopAsync(WorkloadKind kind, string name, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        if (kind == WorkloadKind.Container && containers is not null) { await containers.StopAsync(name, timeout ?? TimeSpan.FromSeconds(10), ct).ConfigureAwait(false); return; }
        Require(kind);
        services.EnsureExists(name);
        await Systemctl(ct, "stop", ServiceName.UnitName(name)).ConfigureAwait(false);
        await RecordAsync(name, ct).ConfigureAwait(false);
    }

    public async Task RestartAsync(WorkloadKind kind, string name, CancellationToken ct = default)
    {
        Require(kind);
        services.EnsureExists(name);
        await LinkAsync(name, ct).ConfigureAwait(false);
        await Systemctl(ct, "restart", ServiceName.UnitName(name)).ConfigureAwait(false);
        await RecordAsync(name, ct).ConfigureAwait(false);
    }

    public async Task EnableAsync(WorkloadKind kind, string name, bool enable, CancellationToken ct = default)
    {
        Require(kind);
        services.EnsureExists(name);
        if (enable)
        {
            await LinkAsync(name, ct).ConfigureAwait(false);
            await Systemctl(ct, "enable", ServiceName.UnitName(name)).ConfigureAwait(false);
        }
        else await Systemctl(ct, "disable", ServiceName.UnitName(name)).ConfigureAwait(false);
        services.SetEnabled(name, enable);
    }

    public Task ReloadAsync(CancellationToken ct = default) => Systemctl(ct, "daemon-reload");

    public WorkloadInfo Status(WorkloadKind kind, string name)
    {
        Require(kind);
        services.EnsureExists(name);
        RecordAsync(name, CancellationToken.None).GetAwaiter().GetResult(); // systemd's view, not the last one written
        return new ServiceDriver(services).Find(name) ?? throw VoltException.NotFound($"service \"{name}\" not found");
    }

    public LogSource Logs(WorkloadKind kind, string name) => LogSource.OfJournal(kind == WorkloadKind.Service ? ServiceName.UnitName(name) : Nspawn.UnitRenderer.UnitName(name));

    /// <summary>systemd's accounting of the unit's cgroup (<c>systemctl show</c>).</summary>
    public Cgroups.CgroupStats? Stats(WorkloadKind kind, string name)
    {
        Require(kind);
        var r = runner.RunAsync("systemctl", ["show", "-p", "MemoryCurrent", "-p", "MemoryMax", "-p", "CPUUsageNSec", "-p", "TasksCurrent", ServiceName.UnitName(name)]).GetAwaiter().GetResult();
        var p = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).Where(x => x.Length == 2)
            .ToDictionary(x => x[0], x => x[1].Trim(), StringComparer.Ordinal);
        long Num(string key) => long.TryParse(p.GetValueOrDefault(key), CultureInfo.InvariantCulture, out var v) ? v : 0;
        if (Num("TasksCurrent") == 0) return null;
        return new Cgroups.CgroupStats(Num("MemoryCurrent"), Num("MemoryMax") is > 0 and var m && m < long.MaxValue ? m : null, Num("CPUUsageNSec"), 0, 0, 0, (int)Num("TasksCurrent"));
    }

    /// <summary>systemd keeps its units running across Volt's restarts: nothing to adopt.</summary>
    public Task<IReadOnlyList<string>> AdoptAsync(CancellationToken ct = default) => Task.FromResult<IReadOnlyList<string>>([]);

    private async Task LinkAsync(string name, CancellationToken ct)
    {
        await Systemctl(ct, "link", services.UnitFile(name)).ConfigureAwait(false);
        await Systemctl(ct, "daemon-reload").ConfigureAwait(false);
    }

    /// <summary>state.json from <c>systemctl show</c>: ActiveState → status, MainPID, ExecMainStatus.</summary>
    private async Task RecordAsync(string name, CancellationToken ct)
    {
        var r = await runner.RunAsync("systemctl", ["show", "-p", "ActiveState", "-p", "SubState", "-p", "MainPID", "-p", "ControlPID", "-p", "ExecMainStatus", "-p", "NRestarts", ServiceName.UnitName(name)], ct: ct).ConfigureAwait(false);
        var props = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1].Trim(), StringComparer.Ordinal);
        int.TryParse(props.GetValueOrDefault("MainPID"), CultureInfo.InvariantCulture, out var pid);
        int.TryParse(props.GetValueOrDefault("ExecMainStatus"), CultureInfo.InvariantCulture, out var code);
        int.TryParse(props.GetValueOrDefault("NRestarts"), CultureInfo.InvariantCulture, out var restarts);
        int.TryParse(props.GetValueOrDefault("ControlPID"), CultureInfo.InvariantCulture, out var control);
        var status = (props.GetValueOrDefault("ActiveState"), props.GetValueOrDefault("SubState")) switch
        {
            ("active" or "reloading", _) => WorkloadStatus.Running,
            ("activating", "auto-restart") => WorkloadStatus.Restarting,
            // start-pre, start, start-post: ExecStartPre= (its process is the ControlPID) or the exec still under way.
            ("activating", _) => WorkloadStatus.Starting,
            ("failed", _) => WorkloadStatus.Failed,
            _ => WorkloadStatus.Stopped,
        };
        // A start still in ExecStartPre= has no main process yet: its control process is what shows it alive.
        if (status == WorkloadStatus.Starting && pid <= 0) pid = control;
        var now = time.GetUtcNow();
        var old = services.State(name);
        services.Save(name, old with
        {
            Status = status, Pid = pid > 0 ? pid : null, PidStartTime = pid > 0 ? ProcessIdentity.StartTime(pid) : null, Supervisor = Name,
            StartedAt = status == WorkloadStatus.Running && old.Status != WorkloadStatus.Running ? now : old.StartedAt,
            // A start under way has not finished anything (before `starting` existed here it was recorded running).
            FinishedAt = status is WorkloadStatus.Running or WorkloadStatus.Starting ? old.FinishedAt : now,
            ExitCode = status is WorkloadStatus.Running or WorkloadStatus.Starting ? null : code,
            Restarts = restarts, Restart = null,
        });
    }

    private static void Require(WorkloadKind kind)
    {
        if (kind != WorkloadKind.Service) throw VoltException.Usage($"the systemd supervisor here runs services; {kind.Word()} workloads have their own");
    }

    private async Task Systemctl(CancellationToken ct, params string[] args)
    {
        var r = await runner.RunAsync("systemctl", args, ct: ct).ConfigureAwait(false);
        if (!r.Success)
            throw new VoltException(ExitCode.Daemon, $"Failed running systemctl {string.Join(' ', args)}: {r.StdErr.Trim()}");
    }
}
