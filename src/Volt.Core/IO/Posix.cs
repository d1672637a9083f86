using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Volt.Core.Native;

namespace Volt.Core.IO;

/// <summary>Typed wrappers of the libc calls .NET does not expose (declared in <see cref="LibC"/>): fsync, syncfs, flock, utimensat, kill, getuid.</summary>
public static partial class Posix
{
    public const int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;
    public const int ENOENT = Errno.ENOENT, ESRCH = Errno.ESRCH, EINTR = Errno.EINTR, EWOULDBLOCK = Errno.EWOULDBLOCK, EPERM = Errno.EPERM;

    public static uint Uid => LibC.getuid();
    public static uint EffectiveUid => LibC.geteuid();
    public static bool IsRoot => LibC.geteuid() == 0;

    /// <summary>chown(2); <see cref="uint.MaxValue"/> leaves the owner or group as it is.</summary>
    public static void Chown(string path, uint owner, uint group)
    {
        if (LibC.chown(path, owner, group) != 0) throw Error($"chown \"{path}\"");
    }

    /// <summary>dup2(2): makes <paramref name="newFd"/> refer to what <paramref name="oldFd"/> does (log reopen on SIGUSR2).</summary>
    public static void Dup2(int oldFd, int newFd)
    {
        while (LibC.dup2(oldFd, newFd) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR) continue;
            throw Error("dup2", errno);
        }
    }

    public static void FsyncOrThrow(SafeFileHandle handle)
    {
        if (LibC.fsync((int)handle.DangerousGetHandle()) != 0) throw Error("fsync");
    }

    /// <summary>fdatasync(2): the file's bytes and size, without its timestamps.</summary>
    public static void FdatasyncOrThrow(SafeFileHandle handle)
    {
        if (LibC.fdatasync((int)handle.DangerousGetHandle()) != 0) throw Error("fdatasync");
    }

    /// <summary>
    /// Starts writeback of a written range without waiting for it (sync_file_range SYNC_FILE_RANGE_WRITE): a later
    /// fsync then waits only for what is still in flight instead of flushing the whole file at once. Advisory: not a
    /// durability guarantee by itself (no metadata, no cache flush), so errors are ignored; fsync still follows.
    /// </summary>
    public static void StartWriteback(SafeFileHandle handle, long offset, long count) =>
        _ = LibC.sync_file_range((int)handle.DangerousGetHandle(), offset, count, 2 /* SYNC_FILE_RANGE_WRITE */);

    /// <summary>Flushes a whole filesystem with one call: cheaper than fsync per file for batch writes.</summary>
    public static void SyncFileSystem(string directoryOnIt)
    {
        var fd = Open(directoryOnIt);
        if (fd < 0) throw Error($"open \"{directoryOnIt}\"");
        try { if (LibC.syncfs(fd) != 0) throw Error("syncfs"); }
        finally { LibC.close(fd); }
    }

    public static void FsyncDirectory(string dir)
    {
        var fd = Open(dir);
        if (fd < 0) return;
        try { LibC.fsync(fd); } finally { LibC.close(fd); }
    }

    /// <summary>Blocking flock; retried on EINTR.</summary>
    public static void Lock(SafeFileHandle handle, int op)
    {
        while (LibC.flock((int)handle.DangerousGetHandle(), op) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR) continue;
            throw Error("flock", errno);
        }
    }

    public static bool TryLock(SafeFileHandle handle, int op) =>
        LibC.flock((int)handle.DangerousGetHandle(), op | LOCK_NB) == 0;

    /// <summary>True when a process with that PID exists (EPERM means it exists but is not ours).</summary>
    public static bool ProcessExists(int pid)
    {
        if (pid <= 0) return false;
        if (LibC.kill(pid, 0) == 0) return true;
        return Marshal.GetLastPInvokeError() == EPERM;
    }

    /// <summary>Sets atime and mtime to now (utimensat with NULL times).</summary>
    public static unsafe bool Touch(string path) => LibC.utimensat(LibC.AT_FDCWD, path, null, 0) == 0;

    /// <summary>
    /// Opens (creating, mode 0644) a file read-write with plain open(2). .NET's own FileStream/OpenHandle take a
    /// non-blocking flock of their own on Unix, which would collide with the flock(2) locks Volt uses.
    /// </summary>
    public static SafeFileHandle OpenForLocking(string path)
    {
        var fd = LibC.open(path, 0x2 /* O_RDWR */ | 0x40 /* O_CREAT */ | 0x80000 /* O_CLOEXEC */, 0x1A4 /* 0644 */);
        if (fd < 0) throw Error($"open \"{path}\"");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private static int Open(string path) => LibC.open(path, 0x10000 /* O_DIRECTORY */ | 0x80000 /* O_CLOEXEC */);

    private static IOException Error(string call, int? errno = null)
    {
        var e = errno ?? Marshal.GetLastPInvokeError();
        return new IOException($"{call} failed: {Marshal.GetPInvokeErrorMessage(e)}", e);
    }
}
