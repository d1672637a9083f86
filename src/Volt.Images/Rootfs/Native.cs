using System.Runtime.InteropServices;

namespace Volt.Images.Rootfs;

/// <summary>The libc calls rootfs assembly needs: mount/umount2, mknod, lchown, utimensat without following links.</summary>
internal static partial class Native
{
    public const int EPERM = 1, ENOENT = 2, EXDEV = 18, EMLINK = 31, ENODEV = 19, EINVAL = 22, EBUSY = 16;
    public const int MNT_DETACH = 2;
    private const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100;

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MountRaw(string source, string target, string fstype, nuint flags, string data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2Raw(string target, int flags);

    [LibraryImport("libc", EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MknodRaw(string path, uint mode, ulong dev);

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LchownRaw(string path, uint uid, uint gid);

    [LibraryImport("libc", EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ChmodRaw(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int UtimensatRaw(int dirfd, string path, long* times, int flags);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkRaw(string existing, string newPath);

    /// <summary>link(2): 0 or the errno (EXDEV across filesystems, EMLINK at the link limit).</summary>
    public static int Link(string existing, string newPath) => LinkRaw(existing, newPath) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>0 or the errno.</summary>
    public static int Mount(string source, string target, string fstype, string data) =>
        MountRaw(source, target, fstype, 0, data) == 0 ? 0 : Marshal.GetLastPInvokeError();

    public static int Umount(string target, int flags) => Umount2Raw(target, flags) == 0 ? 0 : Marshal.GetLastPInvokeError();

    public static int Mknod(string path, uint mode, uint major, uint minor)
    {
        // glibc's makedev encoding.
        ulong dev = ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) | ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);
        return MknodRaw(path, mode, dev) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public static int Lchown(string path, uint uid, uint gid) => LchownRaw(path, uid, gid) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>chmod with the full 07777 bits (setuid/setgid/sticky included).</summary>
    public static int Chmod(string path, uint mode) => ChmodRaw(path, mode) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Sets atime and mtime of the path itself (a symlink is not followed).</summary>
    public static unsafe int SetMTime(string path, DateTimeOffset when)
    {
        var ticks = when.UtcTicks - DateTime.UnixEpoch.Ticks;
        long* times = stackalloc long[4];
        times[0] = times[2] = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rem);
        times[1] = times[3] = rem * 100;
        if (times[1] < 0) { times[0]--; times[2]--; times[1] = times[3] = times[1] + 1_000_000_000; }
        return UtimensatRaw(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
