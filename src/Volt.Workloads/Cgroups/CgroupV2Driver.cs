using System.Globalization;

namespace Volt.Workloads.Cgroups;

/// <summary>
/// cgroup v2 (unified): one tree, controllers enabled through <c>cgroup.subtree_control</c>.
/// <code>
/// {root}/{parent}/{name}/        memory.max  cpu.max  pids.max  cgroup.procs
///                                memory.current  cpu.stat  io.stat  memory.events (oom_kill)
/// {root}/{parent}/{name}/payload|supervisor/   created by nspawn, removed with the group
/// </code>
/// </summary>
public sealed class CgroupV2Driver(string root, string parent = "volt") : ICgroupDriver
{
    private static readonly string[] Controllers = ["memory", "cpu", "pids", "io"];

    public string Version => "v2";
    public string Root => root;

    public string PathOf(string name) => Path.Combine(root, parent, name);

    public void Create(string name)
    {
        var parentDir = Path.Combine(root, parent);
        Directory.CreateDirectory(parentDir);
        EnableControllers(root);
        EnableControllers(parentDir);
        Directory.CreateDirectory(PathOf(name));
    }

    public bool Exists(string name) => Directory.Exists(PathOf(name));

    public void Apply(string name, ResourceLimits limits)
    {
        var dir = PathOf(name);
        CgroupFs.Write(Path.Combine(dir, "memory.max"), CgroupFs.Format(limits.MemoryBytes));
        CgroupFs.Write(Path.Combine(dir, "cpu.max"), $"{CgroupFs.Format(limits.CpuQuotaMicros)} {ResourceLimits.CpuPeriodMicros}");
        CgroupFs.Write(Path.Combine(dir, "pids.max"), CgroupFs.Format(limits.Pids));
    }

    public ResourceLimits ReadLimits(string name)
    {
        var dir = PathOf(name);
        var mem = CgroupFs.Read(Path.Combine(dir, "memory.max"));
        var cpu = (CgroupFs.Read(Path.Combine(dir, "cpu.max")) ?? "max").Split(' ');
        var pids = CgroupFs.Read(Path.Combine(dir, "pids.max"));
        int? cpuPercent = cpu[0] == "max" || cpu.Length < 2 ? null
            : (int)(long.Parse(cpu[0], CultureInfo.InvariantCulture) * 100 / long.Parse(cpu[1], CultureInfo.InvariantCulture));
        return new ResourceLimits(ParseMax(mem), cpuPercent, (int?)ParseMax(pids));
    }

    public IReadOnlyList<string> ProcsFiles(string name) => [Path.Combine(PathOf(name), "cgroup.procs")];

    public void WarmMigrations() => CgroupFs.RejoinOwnV2Group(root);

    public void AddProcess(string name, int pid) =>
        CgroupFs.Write(Path.Combine(PathOf(name), "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));

    public IReadOnlyList<int> Pids(string name) => [.. CgroupFs.ProcsRecursive(PathOf(name)).Distinct()];

    public CgroupStats Stats(string name)
    {
        var dir = PathOf(name);
        long read = 0, write = 0;
        foreach (var line in (CgroupFs.Read(Path.Combine(dir, "io.stat")) ?? "").Split('\n'))
            foreach (var field in line.Split(' '))
            {
                if (field.StartsWith("rbytes=", StringComparison.Ordinal)) read += long.Parse(field[7..], CultureInfo.InvariantCulture);
                else if (field.StartsWith("wbytes=", StringComparison.Ordinal)) write += long.Parse(field[7..], CultureInfo.InvariantCulture);
            }
        return new CgroupStats(
            CgroupFs.ReadLong(Path.Combine(dir, "memory.current")),
            ParseMax(CgroupFs.Read(Path.Combine(dir, "memory.max"))),
            CgroupFs.KeyValue(Path.Combine(dir, "cpu.stat"), "usage_usec") * 1000,
            read, write,
            CgroupFs.KeyValue(Path.Combine(dir, "memory.events"), "oom_kill"),
            Pids(name).Count);
    }

    public long OomKills(string name) => CgroupFs.KeyValue(Path.Combine(PathOf(name), "memory.events"), "oom_kill");

    public void Delete(string name) => CgroupFs.RemoveTree(PathOf(name));

    public IReadOnlyList<string> Groups() => [.. CgroupFs.Children(Path.Combine(root, parent)).Order(StringComparer.Ordinal)];

    /// <summary>True when <paramref name="root"/> is a v2 mount offering the memory controller.</summary>
    public static bool Usable(string root) =>
        (CgroupFs.Read(Path.Combine(root, "cgroup.controllers")) ?? "").Split(' ').Contains("memory");

    private static void EnableControllers(string dir)
    {
        var available = (CgroupFs.Read(Path.Combine(dir, "cgroup.controllers")) ?? string.Join(' ', Controllers)).Split(' ');
        var enabled = (CgroupFs.Read(Path.Combine(dir, "cgroup.subtree_control")) ?? "").Split(' ');
        foreach (var c in Controllers.Where(c => available.Contains(c) && !enabled.Contains(c)))
        {
            try { File.AppendAllText(Path.Combine(dir, "cgroup.subtree_control"), "+" + c); }
            catch (IOException) { /* controller busy or not delegated: limits for it fail loudly later */ }
        }
    }

    private static long? ParseMax(string? text) =>
        text is null or "max" ? null : long.Parse(text, CultureInfo.InvariantCulture);
}
