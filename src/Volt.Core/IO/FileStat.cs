using System.Runtime.InteropServices;
using Volt.Core.Native;

namespace Volt.Core.IO;

/// <summary>File type bits of <c>st_mode</c>.</summary>
public enum FileKind { Unknown, File, Directory, Symlink, CharDevice, BlockDevice, Fifo, Socket }

/// <summary>lstat-like facts about one path, from statx(2) (its struct layout is the same on every architecture).</summary>
public readonly partial record struct FileStat(FileKind Kind, uint Mode, uint Uid, uint Gid, long Size, long MTimeSec, uint MTimeNsec,
    ulong Inode, uint NLink, uint RDevMajor, uint RDevMinor, uint DevMajor, uint DevMinor, long Blocks)
{
    /// <summary>Permission bits including setuid/setgid/sticky (07777).</summary>
    public uint Permissions => Mode & 0xFFF;

    /// <summary>Status change time (st_ctime): set by the kernel on every write, chmod, chown, link or rename onto it.</summary>
    public long CTimeSec { get; init; }

    public uint CTimeNsec { get; init; }

    public DateTimeOffset MTime => DateTimeOffset.FromUnixTimeSeconds(MTimeSec).AddTicks(MTimeNsec / 100);

    private const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, STATX_BASIC_STATS = 0x7ff;

    /// <summary>Stats without following a final symlink. Throws <see cref="FileNotFoundException"/> or <see cref="IOException"/>.</summary>
    public static unsafe FileStat LStat(string path) => Stat(path, AT_SYMLINK_NOFOLLOW);

    public static unsafe FileStat Stat(string path, int flags = 0)
    {
        byte* buf = stackalloc byte[256];
        if (LibC.statx(AT_FDCWD, path, flags, STATX_BASIC_STATS, buf) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            var msg = $"{path}: {Marshal.GetPInvokeErrorMessage(errno)}";
            if (errno == Posix.ENOENT) throw new FileNotFoundException(msg, path);
            if (errno == 13) throw new UnauthorizedAccessException(msg);
            throw new IOException(msg, errno);
        }
        return FromStatx(buf);
    }

    /// <summary>Decodes a <c>struct statx</c> filled with STATX_BASIC_STATS.</summary>
    internal static unsafe FileStat FromStatx(byte* buf)
    {
        var mode = *(ushort*)(buf + 28);
        return new FileStat(KindOf(mode), mode, *(uint*)(buf + 20), *(uint*)(buf + 24), *(long*)(buf + 40),
            *(long*)(buf + 112), *(uint*)(buf + 120), *(ulong*)(buf + 32), *(uint*)(buf + 16),
            *(uint*)(buf + 128), *(uint*)(buf + 132), *(uint*)(buf + 136), *(uint*)(buf + 140), *(long*)(buf + 48))
        {
            CTimeSec = *(long*)(buf + 96),
            CTimeNsec = *(uint*)(buf + 104),
        };
    }

    private const ulong STATX_ATTR_MOUNT_ROOT = 0x2000;

    /// <summary>
    /// Whether <paramref name="path"/> (a final symlink not followed) is the root of a mount, from statx(2)'s
    /// <c>STATX_ATTR_MOUNT_ROOT</c>: one syscall, where the mount table (/proc/self/mountinfo) is a read of every mount
    /// of the host, tens of kilobytes of formatted text with overlays' long option strings. False for a missing path;
    /// null when the kernel does not report the attribute (before Linux 5.8) or the path cannot be looked up: ask the
    /// mount table then.
    /// </summary>
    public static unsafe bool? IsMountRoot(string path)
    {
        byte* buf = stackalloc byte[256];
        if (LibC.statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buf) != 0)
            return Marshal.GetLastPInvokeError() == Posix.ENOENT ? false : null;
        var known = *(ulong*)(buf + 56); // stx_attributes_mask
        return (known & STATX_ATTR_MOUNT_ROOT) == 0 ? null : (*(ulong*)(buf + 8) & STATX_ATTR_MOUNT_ROOT) != 0;
    }

    /// <summary>Stats following symlinks; false when the path is missing or cannot be looked up (no exception: callers
    /// ask about paths that are often absent, e.g. a sandbox plan's host secrets at every service start).</summary>
    public static bool TryStat(string path, out FileStat stat) => TryStatx(path, 0, out stat);

    public static bool TryLStat(string path, out FileStat stat) => TryStatx(path, AT_SYMLINK_NOFOLLOW, out stat);

    private static unsafe bool TryStatx(string path, int flags, out FileStat stat)
    {
        byte* buf = stackalloc byte[256];
        if (LibC.statx(AT_FDCWD, path, flags, STATX_BASIC_STATS, buf) != 0) { stat = default; return false; }
        stat = FromStatx(buf);
        return true;
    }

    private static FileKind KindOf(uint mode) => (mode & 0xF000) switch
    {
        0x8000 => FileKind.File,
        0x4000 => FileKind.Directory,
        0xA000 => FileKind.Symlink,
        0x2000 => FileKind.CharDevice,
        0x6000 => FileKind.BlockDevice,
        0x1000 => FileKind.Fifo,
        0xC000 => FileKind.Socket,
        _ => FileKind.Unknown,
    };
}
