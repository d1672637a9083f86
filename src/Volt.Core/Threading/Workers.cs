namespace Volt.Core.Threading;

/// <summary>
/// Runs <c>body(i)</c> for every index on a fixed set of dedicated threads that pull work from a shared counter.
/// Unlike Parallel.ForEach there is no work-stealing spin (sched_yield storms on small machines) and the first
/// failure stops the other workers promptly; it is rethrown as-is (not wrapped).
/// </summary>
public static class Workers
{
    public static void Run(int workers, int count, Action<int> body, CancellationToken ct = default)
    {
        if (count == 0) return;
        workers = Math.Clamp(workers, 1, count);
        var next = -1;
        Exception? failure = null;
        void Loop()
        {
            int i;
            while (Volatile.Read(ref failure) is null && (i = Interlocked.Increment(ref next)) < count)
            {
                try
                {
                    ct.ThrowIfCancellationRequested();
                    body(i);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
            }
        }
        var threads = new Thread[workers - 1];
        for (var t = 0; t < threads.Length; t++)
        {
            threads[t] = new Thread(Loop) { IsBackground = true, Name = $"volt-worker-{t + 1}" };
            threads[t].Start();
        }
        Loop();
        foreach (var t in threads) t.Join();
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }
}
