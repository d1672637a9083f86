using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Volt.Core.Security;

namespace Volt.Daemon;

/// <summary>
/// The caller of a request on voltd's unix socket: SO_PEERCRED (pid, uid, gid as the kernel recorded them at connect)
/// plus the supplementary groups of that pid. Null when the transport is not a unix socket or the credentials cannot
/// be read: such a caller is denied.
/// </summary>
public static class PeerCredentials
{
    private const int SolSocket = 1, SoPeerCred = 17;

    public static Caller? Of(HttpContext http) =>
        http.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket ? Of(socket) : null;

    public static Caller? Of(Socket socket)
    {
        if (socket.AddressFamily != AddressFamily.Unix) return null;
        Span<byte> ucred = stackalloc byte[12];
        try
        {
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred) != 12) return null;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { return null; }
        var pid = BinaryPrimitives.ReadInt32LittleEndian(ucred);
        var uid = BinaryPrimitives.ReadUInt32LittleEndian(ucred[4..]);
        var gid = BinaryPrimitives.ReadUInt32LittleEndian(ucred[8..]);
        return Caller.FromPeer(pid, uid, gid);
    }
}
