using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace Volt.Core.IO;

/// <summary>An advisory flock(2) on a lock file, released on dispose (and by the kernel if the process dies).</summary>
public sealed class FileLock : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly SemaphoreSlim? _gate;
    private int _disposed;

    private FileLock(SafeFileHandle handle, SemaphoreSlim? gate = null)
    {
        _handle = handle;
        _gate = gate;
    }

    /// <summary>Blocks the calling thread until the lock is held: for synchronous code paths (the CLI's).</summary>
    public static FileLock Exclusive(string path) => Acquire(path, Posix.LOCK_EX);

    /// <summary>One gate per lock path for <see cref="ExclusiveAsync"/>'s waiters in this process.</summary>
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    /// <summary>
    /// The exclusive lock for code that awaits while holding it (voltd's request handlers): waiters in this process
    /// queue on an in-process gate without a thread, and a lock another process holds is waited for on a thread of
    /// its own. A blocking flock on thread-pool workers starved voltd: 29 parallel network attaches of one compose
    /// stack each held a worker in flock while the holder's awaits (ip, nft) waited for a free worker, the pool grew a
    /// thread at a time, and responses stalled past Kestrel's minimum data rate (the connection reset without an
    /// answer).
    /// </summary>
    public static async Task<FileLock> ExclusiveAsync(string path, CancellationToken ct = default)
    {
        var gate = Gates.GetOrAdd(Path.GetFullPath(path), static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        SafeFileHandle? handle = null;
        try
        {
            handle = OpenLockFile(path);
            if (!Posix.TryLock(handle, Posix.LOCK_EX))
                await Task.Factory.StartNew(static h => Posix.Lock((SafeFileHandle)h!, Posix.LOCK_EX), handle,
                    CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            return new FileLock(handle, gate);
        }
        catch
        {
            handle?.Dispose();
            gate.Release();
            throw;
        }
    }
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

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _handle.Dispose(); // closing the descriptor releases the flock
        _gate?.Release();
    }
}
