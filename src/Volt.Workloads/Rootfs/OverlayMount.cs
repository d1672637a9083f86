using Volt.Core.Errors;
using Volt.Core.Processes;

namespace Volt.Workloads.Rootfs;

/// <summary>
/// overlayfs mounts with mount(2)/umount2(2) (no process spawn on the start path; mount(8)/umount(8) only as the fallback
/// when the syscall fails, for its error text), and the mount table check that makes them idempotent.
/// </summary>
internal static class OverlayMount
{
    /// <summary>One statx(2) (the mount table only on kernels that do not say: see <see cref="Core.IO.FileStat.IsMountRoot"/>).</summary>
    public static bool IsMountPoint(string path) =>
        Core.IO.FileStat.IsMountRoot(path) ?? MountPoints().Contains(Path.GetFullPath(path).TrimEnd('/'));

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

    /// <param name="volatileUpper">
    /// Mount with <c>volatile</c> (a <c>--rm</c> container's root): overlayfs then never syncs the upper filesystem,
    /// whose unmount otherwise writes back and commits the whole host filesystem the upper dir lives on (other
    /// processes' dirty pages included). A kernel without the option (before 5.10) gets the plain mount.
    /// </param>
    public static void Mount(IProcessRunner runner, IReadOnlyList<string> lower, string upper, string work, string target, bool volatileUpper = false)
    {
        Directory.CreateDirectory(upper);
        Directory.CreateDirectory(work);
        Directory.CreateDirectory(target);
        if (IsMountPoint(target)) return;
        var options = $"lowerdir={string.Join(':', lower)},upperdir={upper},workdir={work}";
        if (volatileUpper && Runtime.Native.Mount("overlay", target, "overlay", options + ",volatile") == 0) return;
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
