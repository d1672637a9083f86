using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Volt.Network.Addressing;
using Volt.Core.Native;

namespace Volt.Network.Host;

/// <summary>
/// Is a host port free? Tries to bind <c>0.0.0.0:port</c> (tcp or udp), which fails when any local socket holds
/// the port. With a managed netns the bind happens on a dedicated thread that has <c>setns(2)</c>-ed into it, so
/// the answer is about that namespace; the thread then exits and takes its namespace with it.
/// </summary>
public static partial class PortProbe
{
    private const int CLONE_NEWNET = 0x40000000;

    /// <summary>The mappings whose host port some socket already holds.</summary>
    public static IReadOnlyList<PortMapping> Taken(IReadOnlyList<PortMapping> ports, string? netns)
    {
        if (ports.Count == 0) return [];
        if (netns is null) return [.. ports.Where(p => !CanBind(p))];
        List<PortMapping>? taken = null;
        Exception? error = null;
        var t = new Thread(() =>
        {
            try
            {
                using var ns = File.OpenHandle(Path.Combine("/var/run/netns", netns));
                if (LibC.setns((int)ns.DangerousGetHandle(), CLONE_NEWNET) != 0)
                    throw new IOException($"setns into \"{netns}\" failed: errno {Marshal.GetLastPInvokeError()}");
                taken = [.. ports.Where(p => !CanBind(p))];
            }
            catch (Exception e) { error = e; }
        }) { IsBackground = true, Name = "volt-port-probe" };
        t.Start();
        t.Join();
        if (error is not null) throw new IOException($"Failed probing host ports in netns \"{netns}\": {error.Message}", error);
        return taken!;
    }

    private static bool CanBind(PortMapping p)
    {
        var udp = p.Protocol == "udp";
        using var s = new Socket(AddressFamily.InterNetwork, udp ? SocketType.Dgram : SocketType.Stream, udp ? ProtocolType.Udp : ProtocolType.Tcp);
        // TCP: SO_REUSEADDR so a TIME_WAIT leftover is not "taken" (a listener still conflicts). Not for UDP, where it
        // would let the probe share a port with a server that set it too.
        if (!udp) s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try { s.Bind(new IPEndPoint(IPAddress.Any, p.HostPort)); return true; }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied) { return false; }
    }
}
