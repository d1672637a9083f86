using Volt.Core.Paths;
using Volt.Testing;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Containers;

namespace Volt.Mesh.Tests;

/// <summary>
/// What a test's volt root may leave running: its voltd (by the PID in its pid file), its containers' processes (by
/// state PID and cgroup), their rootfs mounts, cgroups and network namespaces. Safe on a root that never ran anything.
/// </summary>
internal static class VoltRootCleanup
{
    public static void Run(string root)
    {
        if (!Directory.Exists(root)) return;
        var paths = new VoltPaths(root);
        if (File.Exists(paths.PidFile) && int.TryParse(File.ReadAllText(paths.PidFile).Trim(), out var d)) Kill(d);
        var store = new ContainerStore(paths);
        var cgroups = CgroupDetector.Detect(paths);
        foreach (var name in store.Names())
        {
            if (store.State(name).Pid is { } pid) Kill(pid);
            foreach (var p in cgroups.Pids(name)) Kill(p);
        }
        if (store.Names().Count > 0) Thread.Sleep(200);
        foreach (var name in store.Names())
        {
            TestEnv.Run("umount", "-l", store.Rootfs(name));
            try { cgroups.Delete(name); } catch (IOException) { }
        }
        // The containers' own network namespaces (made before nspawn starts): by the root's prefix, so another root's stay.
        if (Directory.Exists("/run/netns"))
            foreach (var ns in Directory.EnumerateFiles("/run/netns", Volt.Network.NetworkManager.ContainerNetnsPrefix(paths.Root) + "*"))
                TestEnv.Run("ip", "netns", "delete", Path.GetFileName(ns));
        var parent = CgroupDetector.ParentFor(paths);
        foreach (var p in Directory.GetDirectories("/sys/fs/cgroup").Select(x => Path.Combine(x, parent)).Append("/sys/fs/cgroup/" + parent))
            RmdirTree(p);
    }

    private static void Kill(int pid) => TestEnv.Run("kill", "-9", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static void RmdirTree(string dir)
    {
        if (!Directory.Exists(dir)) return;
        foreach (var c in Directory.GetDirectories(dir)) RmdirTree(c);
        try { Directory.Delete(dir); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
