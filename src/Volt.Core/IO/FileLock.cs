using Microsoft.Win32.SafeHandles;

namespace Volt.Core.IO;

/// <summary>An advisory flock(2) on a lock file, released on dispose (and by the kernel if the process dies).</summary>
public sealed class FileLock : IDisposable
{
    private readonly SafeFileHandle _handle;

    private FileLock(SafeFileHandle handle) => _handle = handle;

    public static FileLock Exclusive(string path) => Acquire(path, Posix.LOCK_EX);
    public static FileLock Shared(string path) => Acquire(path, Posix.LOCK_SH);

    public static FileLock? TryExclusive(string path)
    {
        var handle = OpenLockFile(path);
        if (Posix.TryLock(handle, Posix.LOCK_EX)) return new FileLock(handle);
        handle.Dispose();
        return null;
    }

    public SafeFileHandle Handle => _handle;

    private static FileLock Acquire(string path, int op)
    {
        var handle = OpenLockFile(path);
        try { Posix.Lock(handle, op); }
        catch { handle.Dispose(); throw; }
        return new FileLock(handle);
    }

    private static SafeFileHandle OpenLockFile(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return Posix.OpenForLocking(path);
    }

    public void Dispose() => _handle.Dispose();
}
