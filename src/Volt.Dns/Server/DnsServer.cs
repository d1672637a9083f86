using System.Net;
using Microsoft.Extensions.Logging;
using Volt.Dns.Forwarding;
using Volt.Dns.Records;

namespace Volt.Dns.Server;

/// <summary>How a <see cref="DnsServer"/> runs.</summary>
public sealed record DnsServerOptions
{
    /// <summary>Fixed listen endpoints; empty = every Volt network's gateway (IPv4 and IPv6) on <see cref="Port"/>,
    /// following networks as they come and go.</summary>
    public IReadOnlyList<IPEndPoint> Listen { get; init; } = [];
    public int Port { get; init; } = 53;
    /// <summary>Where non-local names go (the host's resolvers by default, see <see cref="Upstreams.FromResolvConf"/>).</summary>
    public IReadOnlyList<IPEndPoint> Upstreams { get; init; } = [];
    public int CacheSize { get; init; } = 10_000;
    /// <summary>The cache's file (read at start, written every minute when it changed and at stop); null = memory only.</summary>
    public string? CacheFile { get; init; }
    public uint LocalTtl { get; init; }
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// volt-dns: UDP and TCP listeners (one pair per address) answering workload names from a <see cref="RecordSource"/>
/// and forwarding everything else through a <see cref="Forwarder"/> with a <see cref="ResponseCache"/>.
/// </summary>
public sealed partial class DnsServer : IDisposable
{
    private readonly DnsServerOptions _options;
    private readonly RecordSource _records;
    private readonly ILogger _log;
    private readonly Dictionary<IPEndPoint, (UdpListener Udp, TcpListener Tcp)> _listeners = [];
    private readonly Lock _gate = new();
    private readonly ITimer? _saver;
    private bool _disposed;

    public DnsServer(DnsServerOptions options, RecordSource records, ILogger logger)
    {
        _options = options;
        _records = records;
        _log = logger;
        Resolver = new DnsResolver(() => _records.Current, options.LocalTtl);
        Cache = new ResponseCache(options.CacheSize, options.Time);
        if (options.CacheFile is { } f) Cache.Load(f);
        Forwarder = new Forwarder(options.Upstreams, Cache, options.Time);
        if (options.CacheFile is not null)
            _saver = options.Time.CreateTimer(_ => SaveCache(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    public DnsResolver Resolver { get; }
    public Forwarder Forwarder { get; }
    public ResponseCache Cache { get; }
    public DnsStats Stats { get; } = new();

    /// <summary>The endpoints being served now.</summary>
    public IReadOnlyList<IPEndPoint> Endpoints { get { lock (_gate) return [.. _listeners.Keys]; } }

    /// <summary>Binds the listeners (fixed, or the gateways of the networks known now) and follows record changes.</summary>
    public void Start()
    {
        if (_options.Listen.Count > 0)
        {
            foreach (var ep in _options.Listen) Bind(ep, required: true);
        }
        else
        {
            Reconcile(_records.Current);
            _records.Changed += Reconcile;
        }
    }

    /// <summary>Listens on every network's gateway; stops listening on gateways whose network is gone.</summary>
    private void Reconcile(DnsRecords records)
    {
        var want = new HashSet<IPEndPoint>();
        foreach (var n in records.Networks)
        {
            want.Add(new IPEndPoint(n.Gateway, _options.Port));
            if (n.Gateway6 is { } g6) want.Add(new IPEndPoint(g6, _options.Port));
        }
        lock (_gate)
        {
            if (_disposed) return;
            foreach (var ep in _listeners.Keys.Where(e => !want.Contains(e)).ToList())
            {
                var (udp, tcp) = _listeners[ep];
                udp.Dispose();
                tcp.Dispose();
                _listeners.Remove(ep);
                LogStopped(ep.ToString());
            }
        }
        foreach (var ep in want) Bind(ep, required: false);
    }

    private void Bind(IPEndPoint ep, bool required)
    {
        lock (_gate)
        {
            if (_disposed || _listeners.ContainsKey(ep)) return;
            UdpListener? udp = null;
            try
            {
                udp = new UdpListener(ep, this);
                // Port 0 (tests): TCP takes the port UDP was given, and the endpoint is known by it.
                var bound = udp.LocalEndPoint;
                var tcp = new TcpListener(bound, this);
                _listeners[bound] = (udp, tcp);
                LogListening(bound.ToString());
            }
            catch (System.Net.Sockets.SocketException e)
            {
                udp?.Dispose();
                if (required) throw Core.Errors.VoltException.From($"Failed listening on {ep}", e);
                LogBindFailed(ep.ToString(), e.Message);
            }
        }
    }

    /// <summary>Writes the cache file now (the periodic save and the stop call this).</summary>
    public void SaveCache()
    {
        if (_options.CacheFile is not { } f) return;
        try { Cache.Save(f); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { LogCacheSaveFailed(f, e.Message); }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _records.Changed -= Reconcile;
        _saver?.Dispose();
        foreach (var (udp, tcp) in _listeners.Values) { udp.Dispose(); tcp.Dispose(); }
        _listeners.Clear();
        Forwarder.Dispose();
        SaveCache();
    }

    [LoggerMessage(EventId = 13010, Level = LogLevel.Information, Message = "volt-dns listening on {Endpoint} (UDP and TCP)")]
    private partial void LogListening(string endpoint);

    [LoggerMessage(EventId = 13011, Level = LogLevel.Information, Message = "volt-dns stopped listening on {Endpoint}: its network is gone")]
    private partial void LogStopped(string endpoint);

    [LoggerMessage(EventId = 13012, Level = LogLevel.Warning, Message = "volt-dns cannot listen on {Endpoint} yet: {Error}")]
    private partial void LogBindFailed(string endpoint, string error);

    [LoggerMessage(EventId = 13013, Level = LogLevel.Warning, Message = "Failed saving the DNS cache to {File}: {Error}")]
    private partial void LogCacheSaveFailed(string file, string error);

    [LoggerMessage(EventId = 13014, Level = LogLevel.Warning, Message = "volt-dns TCP connection from {Client} failed: {Error}")]
    internal partial void LogTcpFailed(string client, string error);
}

/// <summary>Counters a running server keeps (read by tests and <c>volt dns serve</c>'s stop line).</summary>
public sealed class DnsStats
{
    private long _queries, _local, _forwarded, _cached, _rejected, _dropped;
    public long Queries => Interlocked.Read(ref _queries);
    public long Local => Interlocked.Read(ref _local);
    public long Forwarded => Interlocked.Read(ref _forwarded);
    public long Cached => Interlocked.Read(ref _cached);
    public long Rejected => Interlocked.Read(ref _rejected);
    public long Dropped => Interlocked.Read(ref _dropped);
    internal void Query() => Interlocked.Increment(ref _queries);
    internal void Answered() => Interlocked.Increment(ref _local);
    internal void Forward() => Interlocked.Increment(ref _forwarded);
    internal void Hit() => Interlocked.Increment(ref _cached);
    internal void Reject() => Interlocked.Increment(ref _rejected);
    internal void Drop() => Interlocked.Increment(ref _dropped);
}
