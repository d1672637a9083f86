using Volt.Core.Errors;
using Volt.Core.Processes;

namespace Volt.Workloads.Rootfs;

/// <summary>
/// overlayfs mounts with mount(2)/umount2(2) (no process spawn on the start path; mount(8)/umount(8) only as the fallback
/// when the syscall fails, for its error text), and the mount table check that makes them idempotent.
/// </summary>
internal static class OverlayMount
{
    public static bool IsMountPoint(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        try
        {
            // mountinfo field 5 is the mount point, with spaces etc. octal-escaped.
            return File.ReadLines("/proc/self/mountinfo").Any(l => Unescape(l.Split(' ')[4]) == full);
        }
        catch (IOException) { return false; }
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
        for (var i = 0; i < 5 && IsMountPoint(target); i++)
        {
            var errno = Runtime.Native.Umount(target, 0);
            if (errno == 0) continue;
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
