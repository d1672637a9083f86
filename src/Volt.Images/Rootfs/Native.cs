using System.Runtime.InteropServices;
using Volt.Core.Native;

namespace Volt.Images.Rootfs;

/// <summary>Typed wrappers (declared in <see cref="LibC"/>) of the libc calls rootfs assembly needs: mount/umount2, mknod, lchown, utimensat without following links.</summary>
internal static class Native
{
    public const int EPERM = Errno.EPERM, ENOENT = Errno.ENOENT, EXDEV = Errno.EXDEV, EMLINK = Errno.EMLINK, ENODEV = Errno.ENODEV, EINVAL = Errno.EINVAL, EBUSY = Errno.EBUSY;
    public const int MNT_DETACH = LibC.MNT_DETACH;

    /// <summary>link(2): 0 or the errno (EXDEV across filesystems, EMLINK at the link limit).</summary>
    public static int Link(string existing, string newPath) => LibC.link(existing, newPath) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>0 or the errno.</summary>
    public static int Mount(string source, string target, string fstype, string data) =>
        LibC.mount(source, target, fstype, 0, data) == 0 ? 0 : Marshal.GetLastPInvokeError();

    public static int Umount(string target, int flags) => LibC.umount2(target, flags) == 0 ? 0 : Marshal.GetLastPInvokeError();

    public static int Mknod(string path, uint mode, uint major, uint minor)
    {
        // glibc's makedev encoding.
        ulong dev = ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) | ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);
        return LibC.mknod(path, mode, dev) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public static int Lchown(string path, uint uid, uint gid) => LibC.lchown(path, uid, gid) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>chmod with the full 07777 bits (setuid/setgid/sticky included).</summary>
    public static int Chmod(string path, uint mode) => LibC.chmod(path, mode) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Sets atime and mtime of the path itself (a symlink is not followed).</summary>
    public static unsafe int SetMTime(string path, DateTimeOffset when)
    {
        var ticks = when.UtcTicks - DateTime.UnixEpoch.Ticks;
        long* times = stackalloc long[4];
        times[0] = times[2] = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rem);
        times[1] = times[3] = rem * 100;
        if (times[1] < 0) { times[0]--; times[2]--; times[1] = times[3] = times[1] + 1_000_000_000; }
        return LibC.utimensat(LibC.AT_FDCWD, path, times, LibC.AT_SYMLINK_NOFOLLOW) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public static string Describe(int errno) => LibC.Describe(errno);
}
