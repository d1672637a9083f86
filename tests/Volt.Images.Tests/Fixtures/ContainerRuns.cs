using Volt.Core.Paths;
using Volt.Testing;
using Volt.Workloads.Cgroups;

namespace Volt.Images.Tests.Fixtures;

/// <summary>
/// Runs images with the real binary (<c>volt run --rm</c> on real systemd-nspawn) against a VOLT root, and on dispose
/// kills the voltd that <c>volt run</c> started (by the PID in its pid file), unmounts leftover rootfs overlays and
/// removes the root's cgroups.
/// </summary>
public sealed class ContainerRuns(string root) : IDisposable
{
    private readonly VoltPaths _paths = new(root);

    public static void Require()
    {
        TestEnv.RequireRoot("containers need mounts, cgroups and systemd-nspawn");
        TestEnv.RequireTool("systemd-nspawn");
    }

    public (int Code, string Out, string Err) Volt(params string[] args) => VoltBinary.Run(root, args);

    public void Dispose()
    {
        if (File.Exists(_paths.PidFile) && int.TryParse(File.ReadAllText(_paths.PidFile).Trim(), out var pid))
            TestEnv.Run("kill", "-9", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Directory.Exists(_paths.Containers))
            foreach (var dir in Directory.GetDirectories(_paths.Containers))
                if (Directory.Exists(Path.Combine(dir, "rootfs"))) TestEnv.Run("umount", "-l", Path.Combine(dir, "rootfs"));
        var parent = CgroupDetector.ParentFor(_paths);
        foreach (var p in Directory.GetDirectories("/sys/fs/cgroup").Select(d => Path.Combine(d, parent)).Append("/sys/fs/cgroup/" + parent))
            RmdirTree(p);
    }

    private static void RmdirTree(string dir)
    {
        if (!Directory.Exists(dir)) return;
        foreach (var c in Directory.GetDirectories(dir)) RmdirTree(c);
        try { Directory.Delete(dir); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
