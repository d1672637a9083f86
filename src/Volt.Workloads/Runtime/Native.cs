using System.Runtime.InteropServices;

namespace Volt.Workloads.Runtime;

/// <summary>kill(2) with a result, for signalling processes that are not our children (re-adopted containers).</summary>
internal static partial class Native
{
    public const int SIGKILL = 9, SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillRaw(int pid, int sig);

    public static bool Kill(int pid, int sig) => pid > 0 && KillRaw(pid, sig) == 0;
}
