
namespace Volt.Workloads.Model;

/// <summary>
/// What does not differ between kinds: start, stop with a timeout, restart (the unit's policy decides what happens
/// after an exit), status, logs, stats and re-adoption. Two implementations: systemd (<c>systemctl</c> on the unit
/// linked from <c>/var/lib/volt/units</c>) where systemd is PID 1, and voltd, which runs the same unit itself. One
/// contract test suite (tests/Volt.Workloads.Tests/Supervision/SupervisorContract.cs) both pass.
/// </summary>
public interface IWorkloadSupervisor
{
    /// <summary><c>systemd</c> or <c>voltd</c>.</summary>
    string Name { get; }

    /// <summary>The kinds this supervisor runs.</summary>
    IReadOnlyList<WorkloadKind> Kinds { get; }

    /// <summary>Starts a stopped workload; one that is running (or in restart back-off) is left as is.</summary>
    Task StartAsync(WorkloadKind kind, string name, CancellationToken ct = default);

    /// <summary>Stops per the unit's KillMode: SIGTERM, SIGKILL after <paramref name="timeout"/> (null: the unit's TimeoutStopSec).</summary>
    Task StopAsync(WorkloadKind kind, string name, TimeSpan? timeout = null, CancellationToken ct = default);

    /// <summary>Stop (when running) then start; the unit is read again (an edited unit takes effect).</summary>
    Task RestartAsync(WorkloadKind kind, string name, CancellationToken ct = default);

    /// <summary>Start at boot (systemd: <c>systemctl enable</c>; voltd: when voltd starts).</summary>
    Task EnableAsync(WorkloadKind kind, string name, bool enable, CancellationToken ct = default);

    /// <summary>The unit files changed (create, edit, delete): systemd's daemon-reload; voltd reads units at each start.</summary>
    Task ReloadAsync(CancellationToken ct = default);

    /// <summary>What runs now (status in plain words, pid, times, restart attempt).</summary>
    WorkloadInfo Status(WorkloadKind kind, string name);

    /// <summary>Where the output is: voltd's stamped log file, or the journal under systemd.</summary>
    LogSource Logs(WorkloadKind kind, string name);

    /// <summary>The workload's cgroup counters (memory, CPU, tasks); null when it runs no process.</summary>
    Cgroups.CgroupStats? Stats(WorkloadKind kind, string name);

    /// <summary>After a supervisor restart: watches again what a previous instance started and is still alive. Returns their names.</summary>
    Task<IReadOnlyList<string>> AdoptAsync(CancellationToken ct = default);
}

/// <summary>A workload's output: a stamped log file (voltd) or a journal unit (systemd).</summary>
public sealed record LogSource(string? File, string? JournalUnit)
{
    public static LogSource OfFile(string file) => new(file, null);
    public static LogSource OfJournal(string unit) => new(null, unit);
}
