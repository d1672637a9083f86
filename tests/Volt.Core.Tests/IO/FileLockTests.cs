using Shouldly;
using Volt.Core.IO;
using Volt.Testing;
using Xunit;

namespace Volt.Core.Tests.IO;

public sealed class FileLockTests
{
    /// <summary>Threads of this process blocked in the kernel's flock wait.</summary>
    private static int ThreadsInFlock() =>
        Directory.GetDirectories("/proc/self/task").Count(t =>
        {
            try { return File.ReadAllText(Path.Combine(t, "wchan")).Contains("lock_inode_wait", StringComparison.Ordinal); }
            catch (IOException) { return false; } // the thread ended meanwhile
        });

    private static async Task UntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition()) await Task.Delay(5, deadline.Token);
    }

    [Fact]
    public void Exclusive_BlocksASecondExclusiveUntilReleased()
    {
        using var dir = new TempDir();
        var path = dir.Combine("lock");
        using (FileLock.Exclusive(path))
            FileLock.TryExclusive(path).ShouldBeNull();
        using var again = FileLock.TryExclusive(path);
        again.ShouldNotBeNull();
    }

    [Fact]
    public async Task ExclusiveAsync_WaitersQueueWithoutThreads_OneThreadWaitsForTheOtherHolder()
    {
        using var dir = new TempDir();
        var path = dir.Combine("lock");
        var other = FileLock.Exclusive(path); // another open file description: as another process holds it
        var order = new List<int>();
        var waiters = Enumerable.Range(0, 20).Select(async i =>
        {
            using (await FileLock.ExclusiveAsync(path)) lock (order) order.Add(i);
        }).ToList();

        await UntilAsync(() => ThreadsInFlock() >= 1);
        ThreadsInFlock().ShouldBe(1, "the first waiter waits in flock on a thread of its own; the other 19 wait on the gate");
        waiters.ShouldAllBe(t => !t.IsCompleted);

        other.Dispose();
        await Task.WhenAll(waiters);
        order.Count.ShouldBe(20);
        order.ShouldBeUnique();
        FileLock.TryExclusive(path).ShouldNotBeNull().Dispose();
    }

    [Fact]
    public async Task ExclusiveAsync_HoldersInOneProcessExcludeEachOther()
    {
        using var dir = new TempDir();
        var path = dir.Combine("lock");
        var inside = 0;
        var overlapped = false;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                using (await FileLock.ExclusiveAsync(path))
                {
                    if (Interlocked.Increment(ref inside) != 1) overlapped = true;
                    await Task.Yield();
                    Interlocked.Decrement(ref inside);
                }
            }
        })));
        overlapped.ShouldBeFalse();
    }

    [Fact]
    public async Task ExclusiveAsync_HeldLock_KeepsOutASynchronousLocker_UntilDisposed()
    {
        using var dir = new TempDir();
        var path = dir.Combine("lock");
        var held = await FileLock.ExclusiveAsync(path);
        FileLock.TryExclusive(path).ShouldBeNull();
        held.Dispose();
        held.Dispose(); // twice: releases once
        using var again = await FileLock.ExclusiveAsync(path);
        FileLock.TryExclusive(path).ShouldBeNull();
    }

    [Fact]
    public async Task ExclusiveAsync_CancelledWhileQueued_ThrowsAndLeavesTheQueueWorking()
    {
        using var dir = new TempDir();
        var path = dir.Combine("lock");
        var held = await FileLock.ExclusiveAsync(path);
        using var cts = new CancellationTokenSource();
        var cancelled = FileLock.ExclusiveAsync(path, cts.Token);
        var next = FileLock.ExclusiveAsync(path);
        await cts.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(cancelled);
        next.IsCompleted.ShouldBeFalse();
        held.Dispose();
        (await next).Dispose();
    }
}
