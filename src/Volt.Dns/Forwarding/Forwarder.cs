using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Volt.Dns.Wire;

namespace Volt.Dns.Forwarding;

/// <summary>Where an upstream's answer goes: a UDP client (the listening socket and its address) or a waiting task.</summary>
public sealed class ForwardReply
{
    public Socket? Socket { get; init; }
    public SocketAddress? Client { get; init; }
    public TaskCompletionSource<byte[]?>? Waiter { get; init; }
}

/// <summary>
/// Forwards queries for non-local names to the host's resolvers over UDP, dnsmasq-style: the client's query goes out
/// with a fresh random id from one socket per address family, the answer comes back on a receive thread, is matched
/// by id, upstream address and question, cached, and sent to the client with its own id. At most
/// <see cref="MaxPending"/> queries are in flight (more are refused); one unanswered for <see cref="Timeout"/> is
/// given up: a UDP client gets SERVFAIL, a waiting task null.
/// </summary>
public sealed class Forwarder : IDisposable
{
    public const int MaxPending = 4096;
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private readonly IReadOnlyList<IPEndPoint> _upstreams;
    private readonly ResponseCache _cache;
    private readonly TimeProvider _time;
    private readonly Dictionary<ushort, Pending> _pending = [];
    private readonly Lock _gate = new();
    private readonly Socket? _v4, _v6;
    private readonly List<Thread> _threads = [];
    private readonly ITimer _sweeper;
    private volatile bool _stopped;
    private int _next;

    private sealed record Pending(ForwardReply Reply, ushort ClientId, IPEndPoint Upstream, byte[] Question, string Key, long SentMs, DnsQuery Query);

    public Forwarder(IReadOnlyList<IPEndPoint> upstreams, ResponseCache cache, TimeProvider time)
    {
        _upstreams = upstreams;
        _cache = cache;
        _time = time;
        if (upstreams.Any(u => u.AddressFamily == AddressFamily.InterNetwork)) _v4 = Open(AddressFamily.InterNetwork);
        if (upstreams.Any(u => u.AddressFamily == AddressFamily.InterNetworkV6)) _v6 = Open(AddressFamily.InterNetworkV6);
        _sweeper = time.CreateTimer(_ => Sweep(), null, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));
    }

    public IReadOnlyList<IPEndPoint> Upstreams => _upstreams;
    public ResponseCache Cache => _cache;
    public int PendingCount { get { lock (_gate) return _pending.Count; } }
    public long Timeouts => Interlocked.Read(ref _timeouts);
    private long _timeouts;

    private Socket Open(AddressFamily family)
    {
        var s = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0));
        var t = new Thread(() => ReceiveLoop(s)) { IsBackground = true, Name = "volt-dns upstream" };
        _threads.Add(t);
        t.Start();
        return s;
    }

    /// <summary>Sends <paramref name="query"/> upstream; false when there is no upstream or too much is in flight.</summary>
    public bool TrySend(ReadOnlySpan<byte> query, in DnsQuery q, ForwardReply reply)
    {
        if (_upstreams.Count == 0 || _stopped) return false;
        var upstream = _upstreams[(int)((uint)Interlocked.Increment(ref _next) % (uint)_upstreams.Count)];
        var socket = upstream.AddressFamily == AddressFamily.InterNetwork ? _v4 : _v6;
        if (socket is null) return false;
        ushort id;
        lock (_gate)
        {
            if (_pending.Count >= MaxPending) return false;
            do id = (ushort)Random.Shared.Next(0, 65536); while (_pending.ContainsKey(id));
            _pending[id] = new Pending(reply, q.Id, upstream, query[DnsConst.HeaderLength..q.QuestionEnd].ToArray(), ResponseCache.Key(q),
                _time.GetUtcNow().ToUnixTimeMilliseconds(), q);
        }
        Span<byte> buf = query.Length <= 1024 ? stackalloc byte[query.Length] : new byte[query.Length];
        query.CopyTo(buf);
        BinaryPrimitives.WriteUInt16BigEndian(buf, id);
        try { socket.SendTo(buf, SocketFlags.None, upstream); }
        catch (SocketException)
        {
            lock (_gate) _pending.Remove(id);
            return false;
        }
        return true;
    }

    /// <summary>Forwards one query and waits for the answer (TCP clients, <c>volt dns lookup</c>); null on timeout.</summary>
    public async Task<byte[]?> QueryAsync(byte[] query, DnsQuery q, CancellationToken ct = default)
    {
        var tcs = new TaskCompletionSource<byte[]?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!TrySend(query, q, new ForwardReply { Waiter = tcs })) return null;
        using var reg = ct.Register(() => tcs.TrySetCanceled(ct));
        return await tcs.Task.ConfigureAwait(false);
    }

    private void ReceiveLoop(Socket s)
    {
        var buf = new byte[65535];
        var from = new SocketAddress(s.AddressFamily);
        while (!_stopped)
        {
            int n;
            try { n = s.ReceiveFrom(buf, SocketFlags.None, from); }
            catch (SocketException) { if (_stopped) return; continue; }
            catch (ObjectDisposedException) { return; }
            if (n < DnsConst.HeaderLength) continue;
            OnAnswer(buf.AsSpan(0, n), from);
        }
    }

    private void OnAnswer(Span<byte> msg, SocketAddress from)
    {
        var id = BinaryPrimitives.ReadUInt16BigEndian(msg);
        Pending? p;
        lock (_gate)
        {
            if (!_pending.TryGetValue(id, out p)) return;
            // Only the upstream asked may answer, and only with the question asked (RFC 5452).
            var sender = (IPEndPoint)p.Upstream.Create(from);
            if (!sender.Equals(p.Upstream) || (msg[2] & 0x80) == 0 || !SameQuestion(msg, p.Question)) return;
            _pending.Remove(id);
        }
        _cache.Put(p.Query, msg);
        BinaryPrimitives.WriteUInt16BigEndian(msg, p.ClientId);
        if (p.Reply.Waiter is { } w) { w.TrySetResult(msg.ToArray()); return; }
        try { p.Reply.Socket?.SendTo(msg, SocketFlags.None, p.Reply.Client!); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }

    private static bool SameQuestion(ReadOnlySpan<byte> msg, byte[] question)
    {
        if (msg.Length < DnsConst.HeaderLength + question.Length || DnsName.U16(msg, 4) != 1) return false;
        var q = msg.Slice(DnsConst.HeaderLength, question.Length);
        for (var i = 0; i < question.Length; i++)
        {
            byte a = q[i], b = question[i];
            if (a == b) continue;
            if ((a | 0x20) != (b | 0x20) || (a | 0x20) is < (byte)'a' or > (byte)'z') return false;
        }
        return true;
    }

    private void Sweep()
    {
        var cutoff = _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)Timeout.TotalMilliseconds;
        List<Pending>? expired = null;
        lock (_gate)
        {
            foreach (var (id, p) in _pending)
            {
                if (p.SentMs > cutoff) continue;
                _pending.Remove(id);
                (expired ??= []).Add(p);
            }
        }
        if (expired is null) return;
        Interlocked.Add(ref _timeouts, expired.Count);
        Span<byte> buf = stackalloc byte[DnsConst.HeaderLength + DnsName.MaxLength + 5];
        foreach (var p in expired)
        {
            p.Reply.Waiter?.TrySetResult(null);
            if (p.Reply.Socket is not { } s || p.Reply.Client is not { } client || p.Question.Length + DnsConst.HeaderLength > buf.Length) continue;
            BinaryPrimitives.WriteUInt16BigEndian(buf, p.ClientId);
            BinaryPrimitives.WriteUInt16BigEndian(buf[2..], (ushort)(0x8000 | (p.Query.Flags & 0x0100) | 0x0080 | DnsConst.ServFail));
            BinaryPrimitives.WriteUInt16BigEndian(buf[4..], 1);
            buf[6..12].Clear();
            p.Question.CopyTo(buf[12..]);
            try { s.SendTo(buf[..(12 + p.Question.Length)], SocketFlags.None, client); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        }
    }

    public void Dispose()
    {
        _stopped = true;
        _sweeper.Dispose();
        _v4?.Dispose();
        _v6?.Dispose();
        foreach (var t in _threads) t.Join(TimeSpan.FromSeconds(2));
        lock (_gate)
        {
            foreach (var p in _pending.Values) p.Reply.Waiter?.TrySetResult(null);
            _pending.Clear();
        }
    }
}
