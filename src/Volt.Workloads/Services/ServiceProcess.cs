using System.Diagnostics;

namespace Volt.Workloads.Services;

/// <summary>
/// A started (or re-adopted) service process: PID, start time, cgroup, and its exit. For a child of this process the
/// exit code is known; a re-adopted one (started by an earlier voltd) is polled and its code is unknown (null).
/// </summary>
public sealed class ServiceProcess
{
    private readonly Process? _child;

    private ServiceProcess(int pid, long? startTime, string cgroup, DateTimeOffset startedAt, Process? child, Task<int?> exited)
    {
        Pid = pid; StartTime = startTime; Cgroup = cgroup; StartedAt = startedAt; _child = child; Exited = exited;
    }

    public int Pid { get; }
    /// <summary>/proc start time of <see cref="Pid"/> (see <see cref="ProcessIdentity"/>).</summary>
    public long? StartTime { get; }
    public string Cgroup { get; }
    public DateTimeOffset StartedAt { get; }
    /// <summary>Completes when the main process is gone: its exit code (128+signal when killed), null when unknown.</summary>
    public Task<int?> Exited { get; }
    public bool IsChild => _child is not null;
    public bool HasExited => Exited.IsCompleted;

    internal static ServiceProcess OfChild(Process child, long? startTime, string cgroup, DateTimeOffset startedAt)
    {
        async Task<int?> Wait()
        {
            await child.WaitForExitAsync().ConfigureAwait(false);
            var code = child.ExitCode;
            child.Dispose();
            return code;
        }
        return new ServiceProcess(child.Id, startTime, cgroup, startedAt, child, Wait());
    }

    /// <summary>Watches a process an earlier supervisor started (polled every 100 ms until it is gone).</summary>
    public static ServiceProcess Adopt(int pid, long? startTime, string cgroup, DateTimeOffset startedAt, CancellationToken ct = default)
    {
        async Task<int?> Poll()
        {
            while (ProcessIdentity.IsAlive(pid, startTime))
            {
                try { await Task.Delay(100, ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { break; }
            }
            return null;
        }
        return new ServiceProcess(pid, startTime, cgroup, startedAt, null, Poll());
    }
}
