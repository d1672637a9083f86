using System.Runtime.InteropServices;
using Volt.Core.Native;

namespace Volt.Workloads.Runtime;

/// <summary>
/// Typed wrappers (declared in <see cref="LibC"/>) of the libc calls the engine makes without a process spawn: kill(2) with a result (for signalling processes that are not
/// our children, re-adopted containers), mount(2)/umount2(2) for the rootfs overlay.
/// </summary>
internal static class Native
{
    public const int SIGKILL = Signals.SIGKILL, SIGTERM = Signals.SIGTERM;
    public const int EBUSY = Errno.EBUSY, ENOENT = Errno.ENOENT, EINVAL = 22;
    public const int MNT_DETACH = LibC.MNT_DETACH;

    public static bool Kill(int pid, int sig) => pid > 0 && LibC.kill(pid, sig) == 0;

    /// <summary>mount(2) without flags: 0 or the errno.</summary>
    public static int Mount(string source, string target, string fstype, string data) =>
        LibC.mount(source, target, fstype, 0, data) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>umount2(2): 0 or the errno.</summary>
    public static int Umount(string target, int flags) => LibC.umount2(target, flags) == 0 ? 0 : Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => LibC.Describe(errno);
}
