using Volt.Core.Errors;
using Volt.Core.Processes;

namespace Volt.Workloads.Rootfs;

/// <summary>
/// overlayfs mounts with mount(2)/umount2(2) (no process spawn on the start path; mount(8)/umount(8) only as the fallback
/// when the syscall fails, for its error text), and the mount table check that makes them idempotent.
/// </summary>
internal static class OverlayMount
{
    public static bool IsMountPoint(string path) => MountPoints().Contains(Path.GetFullPath(path).TrimEnd('/'));

    /// <summary>Every mount point of this mount namespace (one read of the mount table).</summary>
    public static HashSet<string> MountPoints()
    {
        try
        {
            // mountinfo field 5 is the mount point, with spaces etc. octal-escaped.
            return [.. File.ReadLines("/proc/self/mountinfo").Select(l => Unescape(l.Split(' ')[4]))];
        }
        catch (IOException) { return []; }
    }

    public static void Mount(IProcessRunner runner, IReadOnlyList<string> lower, string upper, string work, string target)
    {
        Directory.CreateDirectory(upper);
        Directory.CreateDirectory(work);
        Directory.CreateDirectory(target);
        if (IsMountPoint(target)) return;
        var options = $"lowerdir={string.Join(':', lower)},upperdir={upper},workdir={work}";
        if (Runtime.Native.Mount("overlay", target, "overlay", options) == 0) return;
        var r = runner.RunAsync("mount", ["-t", "overlay", "overlay", "-o", options, target]).GetAwaiter().GetResult();
        if (!r.Success)
            throw new VoltException(ExitCode.General, $"Failed mounting the rootfs overlay on {target}: {r.StdErr.Trim()}");
    }

    public static void Unmount(IProcessRunner runner, string target)
    {
        // umount2 itself says when nothing (more) is mounted there: no mount-table read per try (delete read it 5 times).
        for (var i = 0; i < 5; i++)
        {
            var errno = Runtime.Native.Umount(target, 0);
            if (errno == 0) continue; // stacked mounts: the next try unmounts the one below
            if (errno is Runtime.Native.EINVAL or Runtime.Native.ENOENT) return; // not a mount point (any more), or no such directory
            // Busy (a process still inside): detach lazily so delete can finish; the kernel frees it when idle.
            if (errno == Runtime.Native.EBUSY && Runtime.Native.Umount(target, Runtime.Native.MNT_DETACH) == 0) continue;
            var r = runner.RunAsync("umount", [target]).GetAwaiter().GetResult();
            if (r.Success) continue;
            // Busy (a process still inside): detach lazily so delete can finish; the kernel frees it when idle.
            runner.RunAsync("umount", ["-l", target]).GetAwaiter().GetResult();
        }
    }

    private static string Unescape(string s) => s.Replace("\\040", " ").Replace("\\011", "\t").Replace("\\012", "\n").Replace("\\134", "\\");
}
