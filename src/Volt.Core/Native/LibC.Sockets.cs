using System.Runtime.InteropServices;

namespace Volt.Core.Native;

/// <summary>Sockets: the netlink sockets Volt.Network talks rtnetlink and nfnetlink over (socket, send, recv, setsockopt),
/// and the blocking unix stream socket the CLI talks to voltd over (<see cref="IO.LocalSocket"/>: connect, shutdown).</summary>
public static unsafe partial class LibC
{
    public const int AF_NETLINK = 16, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000;
    public const int NETLINK_ROUTE = 0, NETLINK_NETFILTER = 12;
    public const int SOL_SOCKET = 1, SO_RCVTIMEO = 20;
    public const int AF_UNIX = 1, SOCK_STREAM = 1, MSG_NOSIGNAL = 0x4000, SHUT_RDWR = 2;

    [LibraryImport(Lib, EntryPoint = "connect", SetLastError = true)]
    public static partial int connect(int fd, void* addr, uint len);

    [LibraryImport(Lib, EntryPoint = "shutdown", SetLastError = true)]
    public static partial int shutdown(int fd, int how);

    [LibraryImport(Lib, EntryPoint = "socket", SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Lib, EntryPoint = "send", SetLastError = true)]
    public static partial nint send(int fd, byte* buf, nuint len, int flags);

    [LibraryImport(Lib, EntryPoint = "recv", SetLastError = true)]
    public static partial nint recv(int fd, byte* buf, nuint len, int flags);

    [LibraryImport(Lib, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int setsockopt(int fd, int level, int name, void* value, uint len);
}
