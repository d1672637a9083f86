using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Volt.Core.Errors;
using Volt.Hosting;
using Volt.Registry.Auth;
using Volt.Registry.Http;
using Volt.Registry.Storage;
using Volt.Storage.Cas;

namespace Volt.Registry.Hosting;

/// <summary>
/// Starts the OCI registry on Kestrel. Hostable anywhere: the CLI's <c>volt registry serve</c>, voltd, and tests
/// (port 0) all call <see cref="StartAsync"/> and get the bound address back. The host installs no signal
/// handlers; the caller stops it.
/// </summary>
public static class RegistryServer
{
    public static async Task<RunningRegistry> StartAsync(RegistryOptions o, CancellationToken ct = default)
    {
        var cas = new CasStore(o.Paths.Cas, o.Time).EnsureCreated();
        var store = new RegistryStore(cas);
        var tokens = new TokenService(TokenService.KeyPath(o.Paths), o.Time);
        var metrics = new RegistryMetrics();
        var log = new RequestLog(o.LogFile, o.LogEcho);
        var auth = new Authenticator(tokens, o.AnonymousPull);
        var api = new RegistryApi(store, tokens, auth, metrics, log, o.Time);

        var builder = SlimHost.CreateBuilder(o.Paths.Root);
        // Behind a selector, so SIGHUP's reload can present a renewed certificate to the next handshake.
        var certificate = new CertificateSlot(LoadCertificate(o));
        // Kestrel's default peeks one byte (recvfrom MSG_PEEK) before every 4 KiB receive so idle connections hold
        // no buffer: a 100 MB push was 24 400 peeks beside its 24 400 reads (docs/benchmarks.md, 2026-12-01).
        // A pull writes 1 MiB pieces: room for two lets the next piece be read while the last one is sent (at
        // Kestrel's 64 KiB every flush waited for the socket to drain before the next pread).
        builder.WebHost.UseSockets(t =>
        {
            t.WaitForDataBeforeAllocatingBuffer = false;
            t.MaxWriteBufferSize = ResponseBuffer;
        });
        // 128 KiB receive blocks instead of Kestrel's 4 KiB: 32x fewer receives and body-reader wake-ups per push.
        builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>>(new LargeBlockMemoryPoolFactory());
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null;
            k.Limits.MaxResponseBufferSize = ResponseBuffer;
            k.Listen(ParseAddress(o.Listen), o.Port, l =>
            {
                if (certificate.Current is not null)
                    l.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions { ServerCertificateSelector = (_, _) => certificate.Current });
            });
        });
        var app = builder.Build();
        app.Run(api.HandleAsync);
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            await log.DisposeAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            throw new VoltException(ExitCode.Network, $"Failed starting the registry on {o.Listen}:{o.Port}: {e.Message}", e);
        }
        var address = SlimHost.BoundAddress(app);
        return new RunningRegistry(app, new Uri(address.Replace("[::]", "localhost")), store, metrics, log, o)
        {
            Reloader = next =>
            {
                // What can change while serving: anonymous pull and the certificate (not the address, nor TLS on/off).
                var parts = new List<string>();
                if (certificate.Current is not null && next.TlsCert is not null)
                {
                    certificate.Current = LoadCertificate(next);
                    parts.Add($"certificate {next.TlsCert} loaded");
                }
                else if (certificate.Current is null != (next.TlsCert is null)) parts.Add("TLS on/off changes at the next start");
                auth.AnonymousPull = next.AnonymousPull;
                parts.Add($"anonymous pull {(next.AnonymousPull ? "on" : "off")}");
                if (next.Listen != o.Listen || next.Port != o.Port) parts.Add("listen address changes at the next start");
                return string.Join(", ", parts);
            },
        };
    }

    private const int ResponseBuffer = 2 << 20;

    private sealed class CertificateSlot(X509Certificate2? initial)
    {
        private volatile X509Certificate2? _current = initial;
        public X509Certificate2? Current { get => _current; set => _current = value; }
    }

    private static IPAddress ParseAddress(string listen) =>
        listen is "localhost" ? IPAddress.Loopback
        : IPAddress.TryParse(listen.Trim('[', ']'), out var ip) ? ip
        : throw VoltException.Usage($"invalid listen address \"{listen}\": expected an IP address such as 127.0.0.1, 0.0.0.0 or ::");

    private static X509Certificate2? LoadCertificate(RegistryOptions o)
    {
        if (o.TlsCert is null && o.TlsKey is null) return null;
        if (o.TlsCert is null || o.TlsKey is null) throw VoltException.Usage("--tls-cert and --tls-key must be given together");
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(o.TlsCert, o.TlsKey);
            // Re-import so the private key is usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
        {
            throw new VoltException(ExitCode.InvalidConfig, $"Failed loading the TLS certificate \"{o.TlsCert}\" / key \"{o.TlsKey}\": {e.Message}", e);
        }
    }

}
