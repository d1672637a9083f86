using System.Collections.Concurrent;
using System.Net.Security;

namespace Volt.Ingress.Acme;

/// <summary>
/// What the ACME client publishes while a challenge is pending and the proxy answers: HTTP-01 key authorizations
/// under <c>/.well-known/acme-challenge/TOKEN</c> on the HTTP port, TLS-ALPN-01 certificates for ALPN
/// <c>acme-tls/1</c> handshakes on the HTTPS port.
/// </summary>
public sealed class ChallengeStore
{
    public const string HttpPrefix = "/.well-known/acme-challenge/";
    public const string AcmeTlsAlpn = "acme-tls/1";

    private readonly ConcurrentDictionary<string, string> _http = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SslStreamCertificateContext> _alpn = new(StringComparer.Ordinal);

    public void AddHttp(string token, string keyAuthorization) => _http[token] = keyAuthorization;
    public void RemoveHttp(string token) => _http.TryRemove(token, out _);
    public string? Http(string token) => _http.TryGetValue(token, out var v) ? v : null;

    public void AddAlpn(string host, SslStreamCertificateContext cert) => _alpn[host] = cert;
    public void RemoveAlpn(string host) => _alpn.TryRemove(host, out _);
    public SslStreamCertificateContext? Alpn(string? host) => host is not null && _alpn.TryGetValue(host, out var c) ? c : null;
}
