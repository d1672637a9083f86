using System.Runtime.InteropServices;

namespace Volt.Core.Native;

/// <summary>Processes, users and namespaces: kill, uids, setns, unshare.</summary>
public static unsafe partial class LibC
{
    /// <summary>kill(2): a negative <paramref name="pid"/> signals that process group.</summary>
    [LibraryImport(Lib, EntryPoint = "kill", SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport(Lib, EntryPoint = "getuid")]
    public static partial uint getuid();

    [LibraryImport(Lib, EntryPoint = "clock_gettime")]
    private static partial int clock_gettime(int clock, long* timespec);

    private const int CLOCK_THREAD_CPUTIME_ID = 3;

    /// <summary>CPU time (user + system) the calling thread has used, in nanoseconds.</summary>
    public static long ThreadCpuNanoseconds()
    {
        long* ts = stackalloc long[2];
        return clock_gettime(CLOCK_THREAD_CPUTIME_ID, ts) == 0 ? ts[0] * 1_000_000_000 + ts[1] : 0;
    }

    [LibraryImport(Lib, EntryPoint = "geteuid")]
    public static partial uint geteuid();

    [LibraryImport(Lib, EntryPoint = "getpgid", SetLastError = true)]
    public static partial int getpgid(int pid);

    [LibraryImport(Lib, EntryPoint = "setns", SetLastError = true)]
    public static partial int setns(int fd, int nstype);

    /// <summary><c>CLONE_NEWNET</c> for setns(2)/unshare(2).</summary>
    public const int CLONE_NEWNET = 0x40000000;

    /// <summary>unshare(2): on a thread, <c>CLONE_NEWNET</c> moves only that thread into a new network namespace.</summary>
    [LibraryImport(Lib, EntryPoint = "unshare", SetLastError = true)]
    public static partial int unshare(int flags);
}
