namespace Volt.Workloads.Cgroups;

/// <summary>Resource limits of one workload; <c>null</c> = unlimited.</summary>
/// <param name="MemoryBytes">Hard memory limit (v2 <c>memory.max</c>, v1 <c>memory.limit_in_bytes</c>).</param>
/// <param name="CpuPercent">Seed semantics: 100 = one CPU, 200 = two (quota = percent × 1000 µs per 100 ms period).</param>
/// <param name="Pids">Maximum number of tasks (<c>pids.max</c>).</param>
public sealed record ResourceLimits(long? MemoryBytes = null, int? CpuPercent = null, int? Pids = null)
{
    public const long CpuPeriodMicros = 100_000;

    /// <summary>CFS quota in µs for <see cref="CpuPeriodMicros"/>, or null for no limit.</summary>
    public long? CpuQuotaMicros => CpuPercent is { } p ? p * 1000L : null;
}

/// <summary>What <c>volt top</c> shows, read from whichever cgroup version holds the controllers.</summary>
public sealed record CgroupStats(
    long MemoryBytes,
    long? MemoryLimitBytes,
    long CpuUsageNanos,
    long IoReadBytes,
    long IoWriteBytes,
    long OomKills,
    int Tasks);

/// <summary>
/// One cgroup hierarchy layout (v1 per-controller hierarchies or the v2 unified tree) holding one group per
/// workload under a Volt parent (<c>volt/&lt;name&gt;</c>). Every driver passes the same contract suite.
/// </summary>
public interface ICgroupDriver
{
    /// <summary><c>v1</c> or <c>v2</c>.</summary>
    string Version { get; }

    /// <summary>Creates the group (idempotent) in every hierarchy Volt uses.</summary>
    void Create(string name);

    /// <summary>
    /// Creates the group for a workload that is not nspawn: with <paramref name="bookkeeping"/> false (the caller
    /// <see cref="SharesBookkeeping"/>), only in the hierarchies with controllers; nspawn's helper groups are not made.
    /// </summary>
    void Create(string name, bool bookkeeping) => Create(name);

    bool Exists(string name);

    /// <summary>Writes the limits at once (also on a running group); null values reset to unlimited.</summary>
    void Apply(string name, ResourceLimits limits);

    /// <summary>The limits as the kernel files hold them now.</summary>
    ResourceLimits ReadLimits(string name);

    /// <summary>The <c>cgroup.procs</c> files a process must be written into to join the group everywhere.</summary>
    IReadOnlyList<string> ProcsFiles(string name);

    /// <summary>
    /// What a single-threaded process writes to join the group itself: a cgroup v1 <c>tasks</c> file takes <c>0</c>
    /// (the writing thread — its only one — moved without the kernel's global threadgroup lock and the RCU grace period
    /// that lock waits for), a <c>cgroup.procs</c> file takes its PID.
    /// </summary>
    /// <param name="bookkeeping">
    /// False after <see cref="EnterSharedBookkeeping"/>: leave out the controller-less hierarchies the caller already
    /// shares (the process stays in the caller's group there).
    /// </param>
    IReadOnlyList<string> JoinFiles(string name, bool bookkeeping = true) => ProcsFiles(name);

    /// <summary>
    /// Moves the calling process into one shared group in the hierarchies that carry no controllers (hybrid v1:
    /// <c>name=systemd</c> and v2 <c>unified</c>), prepared as nspawn expects. Children it starts may then skip joining
    /// those per workload — the only joins that take the kernel's global threadgroup lock (an RCU grace period, 5–20 ms
    /// on every start). False when the layout has no such hierarchies (pure v2: the controllers live in the one tree).
    /// </summary>
    bool EnterSharedBookkeeping() => false;

    /// <summary>True once <see cref="EnterSharedBookkeeping"/> succeeded in this process (through this driver).</summary>
    bool SharesBookkeeping => false;

    /// <summary>
    /// Makes the kernel's cgroup-migration lock cheap for the joins that follow within the next few tens of
    /// milliseconds: a <c>cgroup.procs</c> write takes the global threadgroup lock, whose first writer after a quiet spell
    /// waits a whole RCU grace period (5–20 ms here) and whose writers soon after do not. This writes the calling
    /// process into the v2 group it is already in (a no-op move); call it on a background thread as early as the start
    /// is known, so the wait overlaps the caller's own work instead of the wrapper's joins. Never throws.
    /// </summary>
    void WarmMigrations() { }

    /// <summary>Moves a process into the group in every hierarchy.</summary>
    void AddProcess(string name, int pid);

    /// <summary>PIDs in the group and its descendants.</summary>
    IReadOnlyList<int> Pids(string name);

    CgroupStats Stats(string name);

    /// <summary>How often the kernel's OOM killer struck in the group: <see cref="Stats"/>' figure alone (one file read).</summary>
    long OomKills(string name) => Stats(name).OomKills;

    /// <summary>Removes the group and any empty child groups (nspawn's <c>payload</c>/<c>supervisor</c>); idempotent.</summary>
    void Delete(string name);

    /// <summary>
    /// The names of the groups under Volt's parent in any hierarchy (shared ones such as <c>.voltd</c> included), for
    /// the orphan collector: a killed create can leave groups no container record names.
    /// </summary>
    IReadOnlyList<string> Groups();

    /// <summary>The main directory of the group (for messages and tests).</summary>
    string PathOf(string name);
}
