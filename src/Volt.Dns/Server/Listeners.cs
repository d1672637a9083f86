using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Volt.Dns.Forwarding;
using Volt.Dns.Wire;

namespace Volt.Dns.Server;

/// <summary>Socket set-up both listeners share.</summary>
internal static class ListenSockets
{
    // IP_FREEBIND / IPV6_FREEBIND (linux/in.h, linux/in6.h): bind a gateway address before its bridge is up, so a
    // network created after volt-dns started is served without a retry loop.
    private const int SolIp = 0, IpFreebind = 15, SolIpv6 = 41, Ipv6Freebind = 78;

    public static Socket Open(IPEndPoint ep, SocketType type, ProtocolType proto)
    {
        var s = new Socket(ep.AddressFamily, type, proto);
        try
        {
            if (ep.AddressFamily == AddressFamily.InterNetworkV6) s.DualMode = false;
            s.SetRawSocketOption(ep.AddressFamily == AddressFamily.InterNetwork ? SolIp : SolIpv6,
                ep.AddressFamily == AddressFamily.InterNetwork ? IpFreebind : Ipv6Freebind, BitConverter.GetBytes(1));
            if (type == SocketType.Stream) s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            s.Bind(ep);
            return s;
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    public static IPAddress Source(SocketAddress a)
    {
        var b = a.Buffer.Span;
        if (a.Family == AddressFamily.InterNetwork) return new IPAddress(b.Slice(4, 4));
        var ip = new IPAddress(b.Slice(8, 16));
        return ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
    }
}

/// <summary>
/// One UDP socket read by blocking threads (one per core, at most two): each datagram is resolved in place and
/// answered from the same thread, or handed to the forwarder, which answers from its own thread.
/// </summary>
internal sealed class UdpListener : IDisposable
{
    private readonly Socket _socket;
    private readonly DnsServer _server;
    private readonly List<Thread> _threads = [];
    private volatile bool _stopped;

    public UdpListener(IPEndPoint ep, DnsServer server)
    {
        _server = server;
        _socket = ListenSockets.Open(ep, SocketType.Dgram, ProtocolType.Udp);
        _socket.ReceiveBufferSize = 1 << 20;
        for (var i = 0; i < Math.Clamp(Environment.ProcessorCount, 1, 2); i++)
        {
            var t = new Thread(Loop) { IsBackground = true, Name = $"volt-dns udp {ep}" };
            _threads.Add(t);
            t.Start();
        }
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    private void Loop()
    {
        // One byte more than the longest query read: a datagram that fills it is oversized (answered FORMERR).
        var buf = new byte[DnsConst.MaxQueryLength + 1];
        var resp = new byte[65535];
        var from = new SocketAddress(_socket.AddressFamily);
        while (!_stopped)
        {
            int n;
            try { n = _socket.ReceiveFrom(buf, SocketFlags.None, from); }
            catch (SocketException) { if (_stopped) return; continue; }
            catch (ObjectDisposedException) { return; }
            try { Handle(buf.AsSpan(0, n), resp, from); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { if (_stopped) return; }
        }
    }

    private void Handle(ReadOnlySpan<byte> query, Span<byte> resp, SocketAddress from)
    {
        var stats = _server.Stats;
        stats.Query();
        var source = ListenSockets.Source(from);
        switch (_server.Resolver.Resolve(query, source, resp, udp: true, out var len, out var q))
        {
            case Outcome.Drop:
                stats.Drop();
                return;
            case Outcome.Answered:
                if ((resp[3] & 0xF) is DnsConst.FormErr or DnsConst.NotImp or DnsConst.Refused) stats.Reject(); else stats.Answered();
                _socket.SendTo(resp[..len], SocketFlags.None, from);
                return;
        }
        var limit = resp[..q.UdpLimit];
        if (_server.Cache.TryGet(query, q, limit, out len))
        {
            stats.Hit();
            _socket.SendTo(limit[..len], SocketFlags.None, from);
            return;
        }
        var client = new SocketAddress(from.Family, from.Size);
        from.Buffer.CopyTo(client.Buffer);
        if (_server.Forwarder.TrySend(query, q, new ForwardReply { Socket = _socket, Client = client })) { stats.Forward(); return; }
        stats.Reject();
        len = DnsResponse.Status(query, q, _server.Forwarder.Upstreams.Count == 0 ? DnsConst.ServFail : DnsConst.Refused, false, limit);
        _socket.SendTo(limit[..len], SocketFlags.None, from);
    }

    public void Dispose()
    {
        _stopped = true;
        _socket.Dispose();
        foreach (var t in _threads) t.Join(TimeSpan.FromSeconds(2));
    }
}

/// <summary>
/// DNS over TCP (RFC 7766): length-prefixed messages, several per connection, at most 64 connections at once
/// (more are closed at once) and 10 s of idleness per connection.
/// </summary>
internal sealed class TcpListener : IDisposable
{
    private const int MaxConnections = 64;
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private readonly DnsServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _slots = new(MaxConnections, MaxConnections);
    private readonly Task _accept;

    public TcpListener(IPEndPoint ep, DnsServer server)
    {
        _server = server;
        _socket = ListenSockets.Open(ep, SocketType.Stream, ProtocolType.Tcp);
        _socket.Listen(64);
        _accept = Task.Run(AcceptLoopAsync);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket c;
            try { c = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                if (_stop.IsCancellationRequested) return;
                continue;
            }
            if (!_slots.Wait(0)) { c.Dispose(); continue; }
            _ = Task.Run(() => ServeAsync(c));
        }
    }

    private async Task ServeAsync(Socket c)
    {
        var client = c.RemoteEndPoint?.ToString() ?? "?";
        try
        {
            using (c)
            {
                var source = ((IPEndPoint)c.RemoteEndPoint!).Address;
                if (source.IsIPv4MappedToIPv6) source = source.MapToIPv4();
                var len = new byte[2];
                var resp = new byte[65535 + 2];
                while (!_stop.IsCancellationRequested)
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    idle.CancelAfter(Idle);
                    if (!await ReadExactlyAsync(c, len, idle.Token).ConfigureAwait(false)) return;
                    var size = BinaryPrimitives.ReadUInt16BigEndian(len);
                    var query = new byte[size];
                    if (!await ReadExactlyAsync(c, query, idle.Token).ConfigureAwait(false)) return;
                    var n = await AnswerAsync(query, source, resp.AsMemory(2), idle.Token).ConfigureAwait(false);
                    if (n <= 0) return;
                    BinaryPrimitives.WriteUInt16BigEndian(resp, (ushort)n);
                    await c.SendAsync(resp.AsMemory(0, n + 2), SocketFlags.None, idle.Token).ConfigureAwait(false);
                    if (size > DnsConst.MaxQueryLength) return; // oversized: answered FORMERR, then closed
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException) { _server.LogTcpFailed(client, e.Message); }
        finally { _slots.Release(); }
    }

    private async Task<int> AnswerAsync(byte[] query, IPAddress source, Memory<byte> resp, CancellationToken ct)
    {
        var stats = _server.Stats;
        stats.Query();
        var outcome = _server.Resolver.Resolve(query, source, resp.Span, udp: false, out var len, out var q);
        if (outcome == Outcome.Drop) { stats.Drop(); return 0; }
        if (outcome == Outcome.Answered) { stats.Answered(); return len; }
        if (_server.Cache.TryGet(query, q, resp.Span, out len)) { stats.Hit(); return len; }
        stats.Forward();
        var answer = await _server.Forwarder.QueryAsync(query, q, ct).ConfigureAwait(false);
        if (answer is null || answer.Length > resp.Length) return DnsResponse.Status(query, q, DnsConst.ServFail, false, resp.Span);
        answer.CopyTo(resp);
        return answer.Length;
    }

    private static async Task<bool> ReadExactlyAsync(Socket c, byte[] buf, CancellationToken ct)
    {
        var read = 0;
        while (read < buf.Length)
        {
            var n = await c.ReceiveAsync(buf.AsMemory(read), SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try { _accept.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
    }
}
