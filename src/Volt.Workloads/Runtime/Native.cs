using System.Runtime.InteropServices;

namespace Volt.Workloads.Runtime;

/// <summary>
/// libc calls the engine makes without a process spawn: kill(2) with a result (for signalling processes that are not
/// our children, re-adopted containers), mount(2)/umount2(2) for the rootfs overlay.
/// </summary>
internal static partial class Native
{
    public const int SIGKILL = 9, SIGTERM = 15;
    public const int EBUSY = 16;
    public const int ENOENT = 2;
    public const int EINVAL = 22;
    public const int MNT_DETACH = 2;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillRaw(int pid, int sig);

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MountRaw(string source, string target, string fstype, nuint flags, string data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2Raw(string target, int flags);

    public static bool Kill(int pid, int sig) => pid > 0 && KillRaw(pid, sig) == 0;

    /// <summary>mount(2) without flags: 0 or the errno.</summary>
    public static int Mount(string source, string target, string fstype, string data) =>
        MountRaw(source, target, fstype, 0, data) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>umount2(2): 0 or the errno.</summary>
    public static int Umount(string target, int flags) => Umount2Raw(target, flags) == 0 ? 0 : Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
