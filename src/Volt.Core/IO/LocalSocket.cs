using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Volt.Core.Native;

namespace Volt.Core.IO;

/// <summary>
/// A blocking unix stream socket on a bare file descriptor: connect, send, receive, shutdown, close — for a process
/// that makes one call and exits (the CLI talking to voltd). <see cref="Socket"/> starts .NET's socket engine on its
/// first construction (an epoll instance and its thread, started and waited for) and probes IPv4/IPv6/unix support
/// with three throw-away sockets; none of that serves a blocking call. Errors are <see cref="SocketException"/>s with
/// the <see cref="SocketError"/> .NET gives the same errno, so callers handle both kinds of socket alike.
/// </summary>
public sealed unsafe class LocalSocket : IDisposable
{
    private int _fd;

    private LocalSocket(int fd) => _fd = fd;

    /// <summary>Connects to the unix socket at <paramref name="path"/> (refused, missing or forbidden: SocketException).</summary>
    public static LocalSocket Connect(string path)
    {
        // struct sockaddr_un: sa_family_t, then sun_path[108] NUL-terminated.
        const int PathMax = 108;
        var name = Encoding.UTF8.GetBytes(path);
        if (name.Length >= PathMax) throw new ArgumentException($"unix socket path longer than {PathMax - 1} bytes: {path}", nameof(path));
        var addr = stackalloc byte[2 + PathMax];
        new Span<byte>(addr, 2 + PathMax).Clear();
        *(ushort*)addr = LibC.AF_UNIX;
        name.CopyTo(new Span<byte>(addr + 2, PathMax));
        var fd = LibC.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) throw Error(LibC.Errno);
        while (LibC.connect(fd, addr, (uint)(2 + name.Length + 1)) < 0)
        {
            var errno = LibC.Errno;
            if (errno == Errno.EINTR) continue;
            LibC.close(fd);
            throw Error(errno);
        }
        return new LocalSocket(fd);
    }

    /// <summary>Sends all of <paramref name="data"/> (no SIGPIPE: a peer that closed is a SocketException).</summary>
    public void SendAll(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var n = LibC.send(Fd, p + done, (nuint)(data.Length - done), LibC.MSG_NOSIGNAL);
                if (n < 0)
                {
                    var errno = LibC.Errno;
                    if (errno == Errno.EINTR) continue;
                    throw Error(errno);
                }
                done += (int)n;
            }
        }
    }

    /// <summary>Blocks until bytes arrive; 0 at end of stream (the peer closed, or <see cref="Shutdown"/> was called).</summary>
    public int Receive(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = LibC.recv(Fd, p, (nuint)buffer.Length, 0);
                if (n >= 0) return (int)n;
                var errno = LibC.Errno;
                if (errno != Errno.EINTR) throw Error(errno);
            }
        }
    }

    /// <summary>Ends both directions: a receive blocked on another thread returns 0, a send fails. Safe to call at any time.</summary>
    public void Shutdown()
    {
        var fd = Volatile.Read(ref _fd);
        if (fd >= 0) LibC.shutdown(fd, LibC.SHUT_RDWR);
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) LibC.close(fd);
    }

    private int Fd => _fd >= 0 ? _fd : throw new ObjectDisposedException(nameof(LocalSocket));

    /// <summary>The errno as .NET's own sockets report it on Linux.</summary>
    private static SocketError ToSocketError(int errno) => errno switch
    {
        Errno.ECONNREFUSED => SocketError.ConnectionRefused,
        Errno.ENOENT => SocketError.AddressNotAvailable,
        Errno.EACCES or Errno.EPERM => SocketError.AccessDenied,
        Errno.EPIPE => SocketError.Shutdown,
        Errno.ECONNRESET => SocketError.ConnectionReset,
        Errno.ENOTCONN => SocketError.NotConnected,
        Errno.EINVAL => SocketError.InvalidArgument,
        Errno.EAGAIN => SocketError.WouldBlock,
        _ => SocketError.SocketError,
    };

    private static SocketException Error(int errno) => new((int)ToSocketError(errno), Marshal.GetPInvokeErrorMessage(errno));
}
