using System.Runtime.InteropServices;

namespace Volt.Core.Native;

/// <summary>Terminals and ptys: ioctl, poll, isatty, termios.</summary>
public static unsafe partial class LibC
{
    [StructLayout(LayoutKind.Sequential)]
    public struct WinSize { public ushort Rows, Cols, X, Y; }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd { public int Fd; public short Events, REvents; }

    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int ioctl(int fd, nuint request, ref int arg);

    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int ioctl(int fd, nuint request, ref WinSize arg);

    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint n, int timeout);

    [LibraryImport(Lib, EntryPoint = "isatty")]
    public static partial int isatty(int fd);

    [LibraryImport(Lib, EntryPoint = "tcgetattr", SetLastError = true)]
    public static partial int tcgetattr(int fd, byte* termios);

    [LibraryImport(Lib, EntryPoint = "tcsetattr", SetLastError = true)]
    public static partial int tcsetattr(int fd, int action, byte* termios);

    [LibraryImport(Lib, EntryPoint = "cfmakeraw")]
    public static partial void cfmakeraw(byte* termios);
}
