using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
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
        var api = new RegistryApi(store, tokens, new Authenticator(tokens, o.AnonymousPull), metrics, log, o.Time);

        var builder = SlimHost.CreateBuilder(o.Paths.Root);
        var certificate = LoadCertificate(o);
        // Kestrel's default peeks one byte (recvfrom MSG_PEEK) before every 4 KiB receive so idle connections hold
        // no buffer: a 100 MB push was 24 400 peeks beside its 24 400 reads (docs/benchmarks.md, 2026-12-01).
        builder.WebHost.UseSockets(t => t.WaitForDataBeforeAllocatingBuffer = false);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null;
            k.Listen(ParseAddress(o.Listen), o.Port, l => { if (certificate is not null) l.UseHttps(certificate); });
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
        return new RunningRegistry(app, new Uri(address.Replace("[::]", "localhost")), store, metrics, log, o);
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
