using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Volt.Core.IO;

/// <summary>The few libc calls .NET does not expose: fsync, syncfs, flock, utimensat, kill, getuid.</summary>
public static partial class Posix
{
    public const int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;
    public const int ENOENT = 2, ESRCH = 3, EINTR = 4, EWOULDBLOCK = 11, EPERM = 1;

    [LibraryImport("libc", SetLastError = true)] private static partial int fsync(int fd);
    [LibraryImport("libc", SetLastError = true)] private static partial int fdatasync(int fd);
    [LibraryImport("libc", SetLastError = true)] private static partial int syncfs(int fd);
    [LibraryImport("libc", SetLastError = true)] private static partial int sync_file_range(int fd, long offset, long nbytes, uint flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int flock(int fd, int operation);
    [LibraryImport("libc", SetLastError = true)] private static partial int kill(int pid, int sig);
    [LibraryImport("libc")] private static partial uint getuid();
    [LibraryImport("libc")] private static partial uint geteuid();
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int utimensat(int dirfd, string path, IntPtr times, int flags);

    public static uint Uid => getuid();
    public static uint EffectiveUid => geteuid();
    public static bool IsRoot => geteuid() == 0;

    public static void FsyncOrThrow(SafeFileHandle handle)
    {
        if (fsync((int)handle.DangerousGetHandle()) != 0) throw Error("fsync");
    }

    /// <summary>fdatasync(2): the file's bytes and size, without its timestamps.</summary>
    public static void FdatasyncOrThrow(SafeFileHandle handle)
    {
        if (fdatasync((int)handle.DangerousGetHandle()) != 0) throw Error("fdatasync");
    }

    /// <summary>
    /// Flushes a whole filesystem with one call: cheaper than fsync per file for batches of thousands of files, but it
    /// writes back every process's dirty pages on that filesystem (slow beside other writers): not for a few records.
    /// </summary>
    /// <summary>
    /// Starts writeback of a written range without waiting for it (sync_file_range SYNC_FILE_RANGE_WRITE): a later
    /// fsync then waits only for what is still in flight instead of flushing the whole file at once. Advisory: not a
    /// durability guarantee by itself (no metadata, no cache flush), so errors are ignored; fsync still follows.
    /// </summary>
    public static void StartWriteback(SafeFileHandle handle, long offset, long count) =>
        _ = sync_file_range((int)handle.DangerousGetHandle(), offset, count, 2 /* SYNC_FILE_RANGE_WRITE */);

    /// <summary>Flushes a whole filesystem with one call: cheaper than fsync per file for batch writes.</summary>
    public static void SyncFileSystem(string directoryOnIt)
    {
        var fd = Open(directoryOnIt);
        if (fd < 0) throw Error($"open \"{directoryOnIt}\"");
        try { if (syncfs(fd) != 0) throw Error("syncfs"); }
        finally { Close(fd); }
    }

    public static void FsyncDirectory(string dir)
    {
        var fd = Open(dir);
        if (fd < 0) return;
        try { fsync(fd); } finally { Close(fd); }
    }

    /// <summary>Blocking flock; retried on EINTR.</summary>
    public static void Lock(SafeFileHandle handle, int op)
    {
        while (flock((int)handle.DangerousGetHandle(), op) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR) continue;
            throw Error("flock", errno);
        }
    }

    public static bool TryLock(SafeFileHandle handle, int op) =>
        flock((int)handle.DangerousGetHandle(), op | LOCK_NB) == 0;

    /// <summary>True when a process with that PID exists (EPERM means it exists but is not ours).</summary>
    public static bool ProcessExists(int pid)
    {
        if (pid <= 0) return false;
        if (kill(pid, 0) == 0) return true;
        return Marshal.GetLastPInvokeError() == EPERM;
    }

    /// <summary>Sets atime and mtime to now (utimensat with NULL times).</summary>
    public static bool Touch(string path) => utimensat(-100 /* AT_FDCWD */, path, IntPtr.Zero, 0) == 0;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenRaw(string path, int flags);
    [LibraryImport("libc", EntryPoint = "close")] private static partial int Close(int fd);

    /// <summary>
    /// Opens (creating, mode 0644) a file read-write with plain open(2). .NET's own FileStream/OpenHandle take a
    /// non-blocking flock of their own on Unix, which would collide with the flock(2) locks Volt uses.
    /// </summary>
    public static SafeFileHandle OpenForLocking(string path)
    {
        var fd = OpenMode(path, 0x2 /* O_RDWR */ | 0x40 /* O_CREAT */ | 0x80000 /* O_CLOEXEC */, 0x1A4 /* 0644 */);
        if (fd < 0) throw Error($"open \"{path}\"");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenMode(string path, int flags, int mode);

    private static int Open(string path) => OpenRaw(path, 0x10000 /* O_DIRECTORY */ | 0x80000 /* O_CLOEXEC */);

    private static IOException Error(string call, int? errno = null)
    {
        var e = errno ?? Marshal.GetLastPInvokeError();
        return new IOException($"{call} failed: {Marshal.GetPInvokeErrorMessage(e)}", e);
    }
}
