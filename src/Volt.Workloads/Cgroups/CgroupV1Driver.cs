using System.Globalization;

namespace Volt.Workloads.Cgroups;

/// <summary>
/// cgroup v1: one hierarchy per controller (hybrid hosts keep memory, cpu, pids … here). The group is created in
/// each hierarchy that exists, plus <c>name=systemd</c> and the (controller-less) v2 <c>unified</c> mount: on a hybrid
/// host nspawn takes its cgroup path from the unified hierarchy and expects <c>payload/</c> and <c>supervisor/</c> to
/// exist already at the same path in the name=systemd one ("Failed to attach … to compat systemd cgroup"), so they are
/// made here.
/// <code>
/// {root}/memory/{parent}/{name}/   memory.limit_in_bytes  memory.usage_in_bytes  memory.oom_control (oom_kill)
/// {root}/cpu/{parent}/{name}/      cpu.cfs_quota_us  cpu.cfs_period_us
/// {root}/cpuacct/{parent}/{name}/  cpuacct.usage
/// {root}/pids/{parent}/{name}/     pids.max
/// {root}/blkio/{parent}/{name}/    blkio.throttle.io_service_bytes_recursive
/// {root}/systemd/{parent}/{name}/  payload/ supervisor/ (pre-created for nspawn)
/// {root}/unified/{parent}/{name}/  payload/ supervisor/ (nspawn's)
/// every one: cgroup.procs
/// </code>
/// </summary>
public sealed class CgroupV1Driver(string root = "/sys/fs/cgroup", string parent = "volt") : ICgroupDriver
{
    private static readonly string[] Hierarchies = ["memory", "cpu", "cpuacct", "pids", "blkio", "systemd", "unified"];
    private const long UnlimitedThreshold = 1L << 62;

    public string Version => "v1";

    public string PathOf(string name) => Group("memory", name);

    private string Group(string controller, string name) => Path.Combine(root, controller, parent, name);

    /// <summary>
    /// Hierarchies present here, co-mounted ones (cpu,cpuacct) once; looked up once per driver (hierarchies are mounted
    /// at boot: every operation used to stat and readlink all seven again, a few hundred syscalls per container start).
    /// </summary>
    private string[] Present() => _present ??=
        [.. Hierarchies.Where(h => Directory.Exists(Path.Combine(root, h)))
            .DistinctBy(h => new DirectoryInfo(Path.Combine(root, h)).ResolveLinkTarget(true)?.FullName ?? h)];
    private string[]? _present;

    public void Create(string name) => Create(name, bookkeeping: true);

    public void Create(string name, bool bookkeeping)
    {
        foreach (var h in Present()) if (bookkeeping || !Bookkeeping.Contains(h)) Directory.CreateDirectory(Group(h, name));
        if (bookkeeping && Directory.Exists(Path.Combine(root, "systemd")))
            foreach (var helper in new[] { "payload", "supervisor" }) Directory.CreateDirectory(Path.Combine(Group("systemd", name), helper));
    }

    public bool Exists(string name) => Present().Any(h => Directory.Exists(Group(h, name)));

    public void Apply(string name, ResourceLimits limits)
    {
        CgroupFs.Write(Path.Combine(Group("memory", name), "memory.limit_in_bytes"), limits.MemoryBytes?.ToString(CultureInfo.InvariantCulture) ?? "-1");
        var cpu = Group("cpu", name);
        CgroupFs.Write(Path.Combine(cpu, "cpu.cfs_period_us"), ResourceLimits.CpuPeriodMicros.ToString(CultureInfo.InvariantCulture));
        CgroupFs.Write(Path.Combine(cpu, "cpu.cfs_quota_us"), limits.CpuQuotaMicros?.ToString(CultureInfo.InvariantCulture) ?? "-1");
        CgroupFs.Write(Path.Combine(Group("pids", name), "pids.max"), CgroupFs.Format(limits.Pids));
    }

    public ResourceLimits ReadLimits(string name)
    {
        var mem = CgroupFs.ReadLong(Path.Combine(Group("memory", name), "memory.limit_in_bytes"));
        var quota = CgroupFs.ReadLong(Path.Combine(Group("cpu", name), "cpu.cfs_quota_us"));
        var period = CgroupFs.ReadLong(Path.Combine(Group("cpu", name), "cpu.cfs_period_us"));
        var pids = CgroupFs.Read(Path.Combine(Group("pids", name), "pids.max"));
        return new ResourceLimits(
            mem >= UnlimitedThreshold || mem <= 0 ? null : mem,
            quota <= 0 || period <= 0 ? null : (int)(quota * 100 / period),
            pids is null or "max" ? null : int.Parse(pids, CultureInfo.InvariantCulture));
    }

    public IReadOnlyList<string> ProcsFiles(string name) => [.. Present().Select(h => Path.Combine(Group(h, name), "cgroup.procs"))];

    /// <summary>v1 hierarchies by <c>tasks</c> (no global lock); the controller-less v2 <c>unified</c> one needs <c>cgroup.procs</c>.</summary>
    public IReadOnlyList<string> JoinFiles(string name, bool bookkeeping = true) =>
        [.. Present().Where(h => bookkeeping || !Bookkeeping.Contains(h))
            .Select(h => Path.Combine(Group(h, name), h == "unified" ? "cgroup.procs" : "tasks"))];

    /// <summary>Hierarchies without controllers: only nspawn's (and systemd's) bookkeeping lives there.</summary>
    private static readonly string[] Bookkeeping = ["systemd", "unified"];

    /// <summary>The shared group's name (a leading dot: never a container name).</summary>
    public const string SharedGroup = ".voltd";

    public bool EnterSharedBookkeeping()
    {
        var present = Present().Where(Bookkeeping.Contains).ToList();
        if (present.Count == 0) return false;
        Create(SharedGroup);
        foreach (var h in present)
            CgroupFs.Write(Path.Combine(Group(h, SharedGroup), "cgroup.procs"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        SharesBookkeeping = true;
        return true;
    }

    public bool SharesBookkeeping { get; private set; }

    public void WarmMigrations()
    {
        var unified = Path.Combine(root, "unified");
        if (Directory.Exists(unified)) CgroupFs.RejoinOwnV2Group(unified);
    }

    public void AddProcess(string name, int pid)
    {
        foreach (var f in ProcsFiles(name)) CgroupFs.Write(f, pid.ToString(CultureInfo.InvariantCulture));
    }

    public IReadOnlyList<int> Pids(string name) =>
        [.. Present().SelectMany(h => CgroupFs.ProcsRecursive(Group(h, name))).Distinct()];

    public CgroupStats Stats(string name)
    {
        var mem = Group("memory", name);
        long read = 0, write = 0;
        foreach (var line in (CgroupFs.Read(Path.Combine(Group("blkio", name), "blkio.throttle.io_service_bytes_recursive")) ?? "").Split('\n'))
        {
            var p = line.Split(' ');
            if (p.Length != 3 || !long.TryParse(p[2], CultureInfo.InvariantCulture, out var v)) continue;
            if (p[1] == "Read") read += v; else if (p[1] == "Write") write += v;
        }
        var limit = CgroupFs.ReadLong(Path.Combine(mem, "memory.limit_in_bytes"));
        return new CgroupStats(
            CgroupFs.ReadLong(Path.Combine(mem, "memory.usage_in_bytes")),
            limit >= UnlimitedThreshold || limit <= 0 ? null : limit,
            CgroupFs.ReadLong(Path.Combine(Group("cpuacct", name), "cpuacct.usage")),
            read, write,
            CgroupFs.KeyValue(Path.Combine(mem, "memory.oom_control"), "oom_kill"),
            Pids(name).Count);
    }

    public long OomKills(string name) => CgroupFs.KeyValue(Path.Combine(Group("memory", name), "memory.oom_control"), "oom_kill");

    public IReadOnlyList<string> Groups() =>
        [.. Present().SelectMany(h => CgroupFs.Children(Path.Combine(root, h, parent))).Distinct().Order(StringComparer.Ordinal)];

    public void Delete(string name)
    {
        foreach (var h in Present()) CgroupFs.RemoveTree(Group(h, name));
    }

    /// <summary>True when the v1 memory hierarchy is mounted under <paramref name="root"/>.</summary>
    public static bool Usable(string root) => File.Exists(Path.Combine(root, "memory", "memory.limit_in_bytes"));
}
