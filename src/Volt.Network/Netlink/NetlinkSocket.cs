using System.Runtime.InteropServices;
using Volt.Core.Native;

namespace Volt.Network.Netlink;

/// <summary>A netlink error: the kernel's errno for one request.</summary>
public sealed class NetlinkException(int errno, string message) : Exception(message)
{
    public int Errno { get; } = errno;
}

/// <summary>
/// One netlink socket (rtnetlink or nfnetlink). A socket belongs to the network namespace of the thread that made it
/// for its whole life, so <see cref="NetnsThread"/> opens one inside a namespace and the caller uses it from anywhere.
/// Requests are synchronous: the kernel answers each before <c>recv</c> returns (a 5 s receive timeout guards against
/// a reply that never comes).
/// </summary>
internal sealed unsafe class NetlinkSocket : IDisposable
{
    public const int ENODEV = 19, EEXIST = 17;
    private readonly int _fd;
    private uint _seq;
    private readonly byte[] _rx = new byte[32 * 1024];

    private NetlinkSocket(int fd) => _fd = fd;

    /// <summary>A socket in the calling thread's network namespace.</summary>
    public static NetlinkSocket Open(int protocol)
    {
        var fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        if (fd < 0) throw new NetlinkException(LibC.Errno, $"netlink socket: {LibC.Describe(LibC.Errno)}");
        var tv = stackalloc long[2] { 5, 0 };
        LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv, 16);
        return new NetlinkSocket(fd);
    }

    /// <summary>Sends a request that asks for an acknowledgement; throws with the kernel's errno when it refuses.</summary>
    public void Ack(NetlinkWriter request, string what)
    {
        foreach (var m in Exchange(request, what))
            if (m.Type == NetlinkMessage.Error)
            {
                if (m.ErrorCode != 0) throw Refused(m.ErrorCode, what);
                return;
            }
        throw new NetlinkException(0, $"{what}: no acknowledgement from the kernel");
    }

    /// <summary>Sends a query and returns its one reply (an error reply throws).</summary>
    public NetlinkMessage Query(NetlinkWriter request, string what)
    {
        foreach (var m in Exchange(request, what))
        {
            if (m.Type == NetlinkMessage.Error)
            {
                if (m.ErrorCode != 0) throw Refused(m.ErrorCode, what);
                continue;
            }
            if (m.Type != NetlinkMessage.Done) return m;
        }
        throw new NetlinkException(0, $"{what}: no reply from the kernel");
    }

    private List<NetlinkMessage> Exchange(NetlinkWriter request, string what)
    {
        var seq = ++_seq;
        var bytes = request.ToArray(seq);
        fixed (byte* p = bytes)
        {
            if (LibC.send(_fd, p, (nuint)bytes.Length, 0) != bytes.Length)
                throw new NetlinkException(LibC.Errno, $"{what}: send: {LibC.Describe(LibC.Errno)}");
        }
        while (true)
        {
            nint n;
            fixed (byte* p = _rx) n = LibC.recv(_fd, p, (nuint)_rx.Length, 0);
            if (n < 0)
            {
                var errno = LibC.Errno;
                if (errno == Errno.EINTR) continue;
                throw new NetlinkException(errno, $"{what}: recv: {LibC.Describe(errno)}");
            }
            // Replies to an earlier request (none here: every request is answered before the next) are skipped.
            var mine = NetlinkMessage.Parse(_rx.AsSpan(0, (int)n), _rx).Where(m => m.Seq == seq).ToList();
            if (mine.Count > 0) return mine;
        }
    }

    private static NetlinkException Refused(int errno, string what) => new(errno, $"{what}: {LibC.Describe(errno)}");

    public void Dispose() => LibC.close(_fd);
}
