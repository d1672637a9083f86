using Volt.Core.Errors;

namespace Volt.Images.Rootfs;

/// <summary>overlayfs mount/unmount through mount(2) (no mount(8) process on the start path) and the mount table check.</summary>
public static class Mounts
{
    /// <summary>One statx(2); the mount table only on kernels that do not say (see <see cref="Core.IO.FileStat.IsMountRoot"/>).</summary>
    public static bool IsMountPoint(string path)
    {
        if (Core.IO.FileStat.IsMountRoot(path) is { } known) return known;
        var full = Path.GetFullPath(path).TrimEnd('/');
        try { return File.ReadLines("/proc/self/mountinfo").Any(l => Unescape(l.Split(' ')[4]) == full); }
        catch (IOException) { return false; }
    }

    /// <param name="volatileUpper">
    /// Mount with <c>volatile</c> (a container deleted at exit): overlayfs then never syncs the upper filesystem, whose
    /// unmount otherwise writes back and commits the whole host filesystem the upper dir lives on. A kernel without
    /// the option (before 5.10) gets the plain mount.
    /// </param>
    public static void MountOverlay(string lower, string upper, string work, string target, bool volatileUpper = false)
    {
        foreach (var p in new[] { lower, upper, work })
            if (p.IndexOfAny([',', ':', '\\']) >= 0) throw VoltException.Usage($"path \"{p}\" cannot be used in an overlay mount (contains ',', ':' or '\\')");
        var options = $"lowerdir={lower},upperdir={upper},workdir={work}";
        var errno = volatileUpper ? Native.Mount("overlay", target, "overlay", options + ",volatile") : -1;
        if (errno != 0) errno = Native.Mount("overlay", target, "overlay", options);
        switch (errno)
        {
            case 0: return;
            case Native.ENODEV:
                throw new VoltException(ExitCode.Dependency, "overlayfs is unavailable on this kernel (modprobe overlay): cannot assemble a container rootfs");
            case Native.EPERM:
                throw new VoltException(ExitCode.Permission, $"mounting overlayfs on \"{target}\" needs root (CAP_SYS_ADMIN)");
            default:
                throw new VoltException(ExitCode.Dependency, $"Failed mounting overlayfs on \"{target}\": {Native.Describe(errno)} (lower {lower})");
        }
    }

    /// <summary>Unmounts if mounted; a busy mount is detached (lazily unmounted) instead.</summary>
    public static void Unmount(string target)
    {
        if (!IsMountPoint(target)) return;
        var errno = Native.Umount(target, 0);
        if (errno == Native.EBUSY) errno = Native.Umount(target, Native.MNT_DETACH);
        if (errno != 0 && errno != Native.EINVAL && errno != Native.ENOENT)
            throw new VoltException(ExitCode.General, $"Failed unmounting \"{target}\": {Native.Describe(errno)}");
    }

    private static string Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length) { sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8)); i += 3; }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }
}
