using System.Runtime.InteropServices;

namespace Volt.Core.Native;

/// <summary>
/// The one home of Volt's P/Invokes: every libc call any project makes is declared here, once, as a source-generated
/// <c>[LibraryImport]</c> (AOT- and trim-safe, no runtime marshalling stubs) under its C name, grouped by area in the
/// partial files <c>LibC.Files.cs</c>, <c>LibC.Processes.cs</c>, <c>LibC.Mounts.cs</c>, <c>LibC.Terminal.cs</c>.
/// Declarations only: they return what libc returns (-1 and errno via <see cref="Errno"/>); the typed wrappers that
/// turn results into exceptions or errno values live beside their callers (<see cref="IO.Posix"/>,
/// <see cref="IO.RawFile"/>, <see cref="IO.FileStat"/>, the engines' <c>Native</c> classes).
/// </summary>
/// <remarks>A new call goes into the area file it belongs to; a project never declares its own <c>[LibraryImport]</c>
/// (tests/Volt.Core.Tests HouseStyleTests fails the build's tests when one does).</remarks>
public static unsafe partial class LibC
{
    private const string Lib = "libc";

    /// <summary><c>AT_FDCWD</c>: relative paths of the *at calls are taken from the working directory.</summary>
    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;

    /// <summary>The errno of the last call declared with <c>SetLastError</c>.</summary>
    public static int Errno => Marshal.GetLastPInvokeError();

    /// <summary>strerror(3) text of an errno.</summary>
    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}

/// <summary>errno values (Linux, all architectures Volt runs on).</summary>
public static class Errno
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EBADF = 9, EWOULDBLOCK = 11, EAGAIN = 11, EBUSY = 16, EEXIST = 17,
        EACCES = 13, EXDEV = 18, ENODEV = 19, ENOTDIR = 20, EINVAL = 22, ENOSPC = 28, EMLINK = 31, EPIPE = 32, ENOSYS = 38,
        EOPNOTSUPP = 95, ECONNRESET = 104, ENOTCONN = 107, ECONNREFUSED = 111;
}

/// <summary>Signal numbers (Linux x86-64 / arm64).</summary>
public static class Signals
{
    public const int SIGHUP = 1, SIGINT = 2, SIGKILL = 9, SIGTERM = 15, SIGCONT = 18, SIGSTOP = 19;
}
