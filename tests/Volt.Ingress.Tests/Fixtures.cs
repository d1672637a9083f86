using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Volt.Hosting;
using Volt.Ingress.Proxy;
using Volt.Ingress.Routes;
using Volt.Testing;

namespace Volt.Ingress.Tests;

/// <summary>A real Kestrel backend on 127.0.0.1: echoes what it received, /ws echoes WebSocket messages, /slow waits.</summary>
internal sealed class Backend : IAsyncDisposable
{
    private readonly WebApplication _app;
    public string Name { get; }
    public string Target { get; }
    public int Port { get; }
    public int Hits;

    private Backend(WebApplication app, string name)
    {
        _app = app; Name = name;
        Port = new Uri(SlimHost.BoundAddress(app)).Port;
        Target = "127.0.0.1:" + Port;
    }

    public static async Task<Backend> StartAsync(string name, X509Certificate2? tls = null)
    {
        var b = SlimHost.CreateBuilder(Path.GetTempPath());
        b.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => { if (tls is not null) l.UseHttps(tls); }));
        var app = b.Build();
        Backend? self = null;
        app.UseWebSockets();
        app.Run(async http =>
        {
            Interlocked.Increment(ref self!.Hits);
            if (http.Request.Path == "/ws" && http.WebSockets.IsWebSocketRequest)
            {
                using var ws = await http.WebSockets.AcceptWebSocketAsync();
                var buf = new byte[4096];
                while (true)
                {
                    var r = await ws.ReceiveAsync(buf, default);
                    if (r.MessageType == WebSocketMessageType.Close) { await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", default); return; }
                    await ws.SendAsync(Encoding.UTF8.GetBytes(name + ":" + Encoding.UTF8.GetString(buf, 0, r.Count)), WebSocketMessageType.Text, true, default);
                }
            }
            if (http.Request.Path.StartsWithSegments("/slow"))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(int.Parse(http.Request.Query["ms"].ToString() is { Length: > 0 } ms ? ms : "500")));
            }
            if (http.Request.Path == "/health" && File.Exists(Path.Combine(Path.GetTempPath(), "volt-ingress-sick-" + name)))
            {
                http.Response.StatusCode = 500; return;
            }
            var h = http.Request.Headers;
            http.Response.ContentType = "text/plain";
            await http.Response.WriteAsync($"backend={name}\npath={http.Request.Path}{http.Request.QueryString}\nhost={h.Host}\nxff={h["X-Forwarded-For"]}\nxfproto={h["X-Forwarded-Proto"]}\nxfhost={h["X-Forwarded-Host"]}\nroute-header={h[YarpConfig.RouteHeader]}\nprotocol={http.Request.Protocol}\n");
        });
        await app.StartAsync();
        self = new Backend(app, name);
        return self;
    }

    public async ValueTask DisposeAsync() { await _app.StopAsync(); await _app.DisposeAsync(); }
}

/// <summary>Certificates written as PEM files for the tests.</summary>
internal static class TestCerts
{
    public static (string Cert, string Key, X509Certificate2 X509) Write(TempDir dir, string file, string[] names, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=" + names[0], key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var n in names) san.AddDnsName(n);
        req.CertificateExtensions.Add(san.Build());
        var cert = req.CreateSelfSigned(notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(30));
        var c = dir.Write(file + ".crt", cert.ExportCertificatePem());
        var k = dir.Write(file + ".key", key.ExportPkcs8PrivateKeyPem());
        return (c, k, cert);
    }
}

/// <summary>An ingress on 127.0.0.1 with free ports over a private routes directory.</summary>
internal sealed class Ingress : IAsyncDisposable
{
    public TempDir Dir { get; } = new("volt-ingress");
    public RouteStore Store { get; }
    public IngressServer Server { get; private set; } = null!;
    public MemoryStream Access { get; } = new();
    public List<string> Logs { get; } = [];

    public Ingress() => Store = new RouteStore(Dir.Combine("etc"));

    public async Task StartAsync(bool watch = false, HealthSettings? health = null, TimeSpan? headerTimeout = null, bool accessLog = true)
    {
        Server = await IngressServer.StartAsync(new IngressOptions
        {
            Store = Store, Listen = IPAddress.Loopback, HttpPort = 0, HttpsPort = 0, Watch = watch, AccessLog = accessLog ? new SyncStream(Access) : null,
            Health = health ?? new HealthSettings(), StateFile = Dir.Combine("run", "ingress-serve.json"),
            Logging = new ListLoggerFactory(Logs), HeaderTimeout = headerTimeout ?? TimeSpan.FromSeconds(10),
        });
    }

    public IngressRoute Add(string name, string host, string backends, string? path = null, string tls = TlsModes.None, bool strip = false,
        string? cert = null, string? key = null, string? health = null, bool redirect = false, TimeSpan? timeout = null)
    {
        var r = new IngressRoute
        {
            Name = name, Hostname = host, Path = path, Backends = backends.Split(','), Tls = tls, StripPrefix = strip, Cert = cert, Key = key,
            Health = health, RedirectHttps = redirect, Timeout = timeout ?? TimeSpan.FromSeconds(100), Created = DateTimeOffset.UtcNow,
        };
        Store.Create(r);
        return r;
    }

    public HttpClient Client(bool http2 = false, X509Certificate2? trust = null, Action<string?>? sni = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.Zero,
            SslOptions = { RemoteCertificateValidationCallback = (_, c, _, _) => trust is null || c?.GetCertHashString() == trust.GetCertHashString() },
        };
        // Every host name goes to the ingress: the tests use real names with 127.0.0.1 underneath.
        handler.ConnectCallback = async (ctx, ct) =>
        {
            var s = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
            var port = ctx.DnsEndPoint.Port == 443 ? Server.HttpsAddress!.Port : ctx.DnsEndPoint.Port == 80 ? Server.HttpAddress!.Port : ctx.DnsEndPoint.Port;
            await s.ConnectAsync(IPAddress.Loopback, port, ct);
            return new System.Net.Sockets.NetworkStream(s, ownsSocket: true);
        };
        var c = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        if (http2) { c.DefaultRequestVersion = HttpVersion.Version20; c.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact; }
        return c;
    }

    public string AccessText() { lock (Access) return Encoding.UTF8.GetString(Access.ToArray()); }

    public async ValueTask DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        Dir.Dispose();
    }
}

/// <summary>A stream writes to under a lock (the access log writes from its own task).</summary>
internal sealed class SyncStream(MemoryStream inner) : Stream
{
    public override bool CanRead => false; public override bool CanSeek => false; public override bool CanWrite => true;
    public override long Length => inner.Length; public override long Position { get => inner.Position; set { } }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) { lock (inner) inner.Write(buffer, offset, count); }
}

internal sealed class ListLoggerFactory(List<string> lines) : Microsoft.Extensions.Logging.ILoggerFactory
{
    public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider) { }
    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new L(lines);
    public void Dispose() { }
    private sealed class L(List<string> lines) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        { lock (lines) lines.Add($"{eventId.Id} {formatter(state, exception)}"); }
    }
}
