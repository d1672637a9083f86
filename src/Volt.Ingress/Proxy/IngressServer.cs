using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Volt.Core.Errors;
using Volt.Hosting;
using Volt.Ingress.Acme;
using Volt.Ingress.Routes;
using Volt.Ingress.Tls;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;

namespace Volt.Ingress.Proxy;

/// <summary>
/// <c>volt ingress serve</c>: Kestrel on the HTTP and HTTPS ports, Volt's route resolution in front of YARP's
/// forwarder (load balancing, active and passive health checks, WebSockets, HTTP/2, streaming), TLS chosen per
/// connection (SNI → certificate; passthrough; ACME's TLS-ALPN-01), and reloads that swap the whole configuration
/// at once while requests in flight finish on the one they started with.
/// </summary>
public sealed partial class IngressServer : IAsyncDisposable
{
    private readonly IngressOptions _o;
    private readonly ILogger _log;
    private readonly ProxyConfigSource _yarp = new();
    private readonly AccessLog _access;
    private readonly Lock _reloadGate = new();
    private readonly X509Certificate2 _placeholderCert;
    private readonly SslStreamCertificateContext _placeholder;
    private volatile IngressState _state;
    private YarpConfig.Built? _previous;
    private WebApplication? _app;
    private int _stopped;
    private long _requests;
    private AcmeManager? _acme;
    private Forward? _forward;

    private IngressServer(IngressOptions o)
    {
        _o = o;
        _log = o.Logging.CreateLogger("Volt.Ingress");
        _access = new AccessLog(o.AccessLog);
        _placeholderCert = CertificateStore.SelfSigned([], o.Time.GetUtcNow(), 3650);
        _placeholder = CertificateStore.Context(_placeholderCert);
        _state = new IngressState(0, RouteTable.Empty, new CertificateStore(new Dictionary<string, SslStreamCertificateContext>(), _placeholder),
            new Dictionary<string, string>(), new Dictionary<string, IReadOnlyList<string>>());
    }

    public Uri? HttpAddress { get; private set; }
    public Uri? HttpsAddress { get; private set; }
    public int Generation => _state.Generation;
    public long Requests => Interlocked.Read(ref _requests);
    public RouteTable Routes => _state.Table;
    public ChallengeStore Challenges => _o.Challenges;

    /// <summary>Certificates for <c>--tls auto</c> routes, by hostname (the ACME manager sets it); null = placeholder.</summary>
    public Func<string, (X509Certificate2 Leaf, X509Certificate2Collection Chain)?>? AutoCertificates { get; set; }

    public static async Task<IngressServer> StartAsync(IngressOptions o, CancellationToken ct = default)
    {
        var server = new IngressServer(o);
        if (o.Acme is not null)
        {
            server._acme = new AcmeManager(o.Acme, o.Store.AcmeDir, o.Challenges, () => [.. server._state.Table.Routes.Where(r => r.Tls == TlsModes.Auto).Select(r => r.Hostname).Distinct()],
                host => server.CertificatesChanged(host), o.Time, server._log) { Challenge = o.AcmeChallenge };
            server.AutoCertificates = server._acme.Get;
        }
        server.Apply(server.Load(), "start"); // invalid routes at start: exit 12, nothing listens
        await server.StartKestrelAsync(ct).ConfigureAwait(false);
        server._acme?.Start();
        if (o.Watch) server.StartWatching();
        server.PublishState();
        IngressLog.Listening(server._log, server.HttpAddress?.ToString() ?? "-", server.HttpsAddress?.ToString() ?? "-", server._state.Table.Routes.Count);
        return server;
    }

    private async Task StartKestrelAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_o.Store.Dir);
        var builder = SlimHost.CreateBuilder(_o.Store.Dir);
        builder.Services.AddSingleton<IProxyConfigProvider>(_yarp);
        builder.Services.AddReverseProxy();
        // Kestrel's default peeks (a zero-byte receive) before every receive so an idle connection holds no buffer:
        // one syscall more per request on a keep-alive connection. A proxy's connections are busy; 4 KiB each is cheap.
        builder.WebHost.UseSockets(t => t.WaitForDataBeforeAllocatingBuffer = false);
        builder.Services.AddSingleton<IPassiveHealthCheckPolicy>(sp => new PassiveFailures(sp.GetRequiredService<IDestinationHealthUpdater>(), _log));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.RequestHeadersTimeout = _o.HeaderTimeout;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            k.Limits.MaxRequestLineSize = 8 * 1024;
            k.Limits.MaxRequestBodySize = null; // streamed through; the backend decides
            k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(75);
            k.Listen(_o.Listen, _o.HttpPort, l => l.Protocols = HttpProtocols.Http1);
            if (_o.HttpsPort is { } https)
                k.Listen(_o.Listen, https, l =>
                {
                    l.Protocols = HttpProtocols.Http1AndHttp2;
                    var door = new TlsFrontDoor(sni => _state.Passthrough(sni), _o.HeaderTimeout, (area, route, msg) => IngressLog.Info(_log, area + (route is null ? "" : " " + route), msg));
                    l.Use(next => ctx => door.OnConnectionAsync(ctx, next));
                    l.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = OnTlsAsync, HandshakeTimeout = _o.HeaderTimeout });
                });
        });
        var app = builder.Build();
        // Every request ends in HandleAsync. MapReverseProxy is there for what it starts: YARP's configuration
        // manager (clusters, their HTTP clients, route transforms, active health checks), loaded at this call. The
        // routing middleware after the terminal one never runs (calling UseRouting here also keeps WebApplication
        // from putting its own routing step in front of HandleAsync).
        app.Run(HandleAsync);
        app.UseRouting();
        app.MapReverseProxy();
        _forward = new Forward(app.Services.GetRequiredService<Yarp.ReverseProxy.Forwarder.IHttpForwarder>(),
            app.Services.GetRequiredService<Yarp.ReverseProxy.IProxyStateLookup>(), app.Services.GetServices<IPassiveHealthCheckPolicy>().First(p => p.Name == YarpConfig.PassivePolicy));
        try { await app.StartAsync(ct).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new VoltException(ExitCode.Network, $"Failed starting the ingress on {_o.Listen} (HTTP {_o.HttpPort}, HTTPS {_o.HttpsPort?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "off"}): {e.Message}", e);
        }
        _app = app;
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a.Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "[::1]"))).ToList();
        HttpAddress = addresses.FirstOrDefault(a => _o.HttpPort == 0 ? true : a.Port == _o.HttpPort);
        if (_o.HttpsPort is not null)
        {
            HttpsAddress = addresses.FirstOrDefault(a => a != HttpAddress);
            if (HttpsAddress is not null) HttpsAddress = new UriBuilder(HttpsAddress) { Scheme = "https" }.Uri;
        }
        if (_o.HttpPort == 0 && _o.HttpsPort is not null && addresses.Count == 2) { HttpAddress = addresses[0]; HttpsAddress = new UriBuilder(addresses[1]) { Scheme = "https" }.Uri; }
    }

    private ValueTask<SslServerAuthenticationOptions> OnTlsAsync(TlsHandshakeCallbackContext c)
    {
        var sni = c.ClientHelloInfo.ServerName?.ToLowerInvariant();
        var hello = c.Connection.Items.TryGetValue(TlsFrontDoor.HelloItem, out var h) ? h as ClientHelloInfo : null;
        if (hello is { Alpn: [ChallengeStore.AcmeTlsAlpn] } && _o.Challenges.Alpn(sni) is { } challenge)
            return ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = challenge, ApplicationProtocols = [new SslApplicationProtocol(ChallengeStore.AcmeTlsAlpn)],
            });
        return ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _state.Certificate(sni),
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
        });
    }

    // With --access-log off a request builds no entry: no counting stream around the body, no timestamp, no remote
    // address string, no feature look-ups.
    private Task HandleAsync(HttpContext http) => _access.Enabled ? HandleLoggedAsync(http) : ServeAsync(http, null);

    /// <summary>
    /// One request, start to end: the ACME HTTP-01 answer, Volt's route table (the seed's order), the HTTPS
    /// redirect, then the forwarder (<see cref="Forward"/>) with the route's YARP cluster. No endpoint routing and
    /// no YARP proxy pipeline run: the route table has already decided, and the forwarder step does what the pipeline
    /// did (load balancing, passive health, failover, error pages).
    /// </summary>
    private Task ServeAsync(HttpContext http, Forward.Outcome? outcome)
    {
        Interlocked.Increment(ref _requests);
        var state = _state;
        var req = http.Request;
        var path = req.Path.Value ?? "/";
        if (!req.IsHttps && path.StartsWith(ChallengeStore.HttpPrefix, StringComparison.Ordinal))
        {
            var answer = _o.Challenges.Http(path[ChallengeStore.HttpPrefix.Length..]);
            return Page(http, answer is null ? 404 : 200, answer ?? "no such challenge", plain: answer is not null);
        }
        var r = state.Table.Resolve(req.Host.Value ?? "", path);
        if (r is null || !state.RouteIds.TryGetValue(r.Name, out var id))
            return Page(http, 404, $"No ingress route for {RouteSyntax.Shown(req.Host.Value)}{RouteSyntax.Shown(path)}");
        if (outcome is not null) outcome.Route = r.Name;
        if (!req.IsHttps && r.RedirectHttps)
        {
            Redirect(http);
            return Task.CompletedTask;
        }
        return _forward!.SendAsync(http, id, outcome);
    }

    private void Redirect(HttpContext http)
    {
        var req = http.Request;
        var port = HttpsAddress?.Port is { } p && p != 443 ? ":" + p.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
        http.Response.StatusCode = 308;
        http.Response.Headers.Location = "https://" + req.Host.Host + port + req.PathBase + req.Path + req.QueryString;
    }

    private async Task HandleLoggedAsync(HttpContext http)
    {
        var start = Stopwatch.GetTimestamp();
        var body = new CountingStream(http.Response.Body);
        http.Response.Body = body;
        var outcome = new Forward.Outcome();
        try { await ServeAsync(http, outcome).ConfigureAwait(false); }
        finally
        {
            var req = http.Request;
            _access.Add(new AccessEntry(_o.Time.GetUtcNow(), http.Connection.RemoteIpAddress?.ToString() ?? "", req.Method, req.Host.Value ?? "", req.Path.Value ?? "/",
                req.Protocol, http.Response.StatusCode, body.Count, Stopwatch.GetElapsedTime(start).TotalMilliseconds, outcome.Route,
                outcome.Backend, outcome.Error));
        }
    }

    internal static Task Page(HttpContext http, int status, string message, bool plain = false)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        return http.Response.WriteAsync(plain ? message : $"{status} {ReasonPhrases(status)}\n\n{message}\n");
    }

    private static string ReasonPhrases(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);

    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        StopWatching();
        if (_acme is not null) await _acme.DisposeAsync().ConfigureAwait(false);
        if (_app is not null)
        {
            using (var timeout = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(5)))
            {
                try { await _app.StopAsync(timeout.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { }
            }
            await _app.DisposeAsync().ConfigureAwait(false);
        }
        await _access.DisposeAsync().ConfigureAwait(false);
        if (_o.StateFile is not null) Volt.Core.IO.AtomicFile.TryDelete(_o.StateFile);
        _placeholderCert.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
