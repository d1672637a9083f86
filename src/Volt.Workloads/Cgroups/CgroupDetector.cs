using System.Text;
using Volt.Core.Errors;
using Volt.Core.Paths;

namespace Volt.Workloads.Cgroups;

/// <summary>
/// Picks the driver at start: pure v2 (<c>/sys/fs/cgroup</c> offers memory), v2 at <c>/sys/fs/cgroup/unified</c> if it
/// offers memory, else v1 (hybrid hosts such as these: memory/cpu/pids on v1). <c>VOLT_CGROUP_ROOT</c> points tests
/// at a fake tree.
/// </summary>
public static class CgroupDetector
{
    public const string DefaultRoot = "/sys/fs/cgroup";

    public static ICgroupDriver Detect(VoltPaths paths, string root = DefaultRoot)
    {
        var parent = ParentFor(paths);
        if (CgroupV2Driver.Usable(root)) return new CgroupV2Driver(root, parent);
        var unified = Path.Combine(root, "unified");
        if (CgroupV2Driver.Usable(unified)) return new CgroupV2Driver(unified, parent);
        if (CgroupV1Driver.Usable(root)) return new CgroupV1Driver(root, parent);
        throw new VoltException(ExitCode.Dependency, $"no usable cgroup hierarchy under {root} (need v2 with memory, or v1 memory/cpu/pids)");
    }

    /// <summary>
    /// <c>volt</c> on a real host; a relocated root (tests, private roots) gets its own parent so two roots never share
    /// a group name.
    /// </summary>
    public static string ParentFor(VoltPaths paths)
    {
        if (!paths.IsRelocated) return "volt";
        var hash = Volt.Core.IO.Sha256.HashData(Encoding.UTF8.GetBytes(paths.Root)); // managed: no OpenSSL load on the start path
        return "volt-" + Convert.ToHexStringLower(hash)[..12];
    }
}
