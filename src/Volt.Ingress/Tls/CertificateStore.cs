using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Volt.Ingress.Tls;

/// <summary>
/// The certificates the HTTPS port presents, chosen by SNI: the exact name, then a wildcard entry
/// (<c>*.example.com</c>), then the self-signed placeholder. Immutable: a reload or a renewal builds a new store and
/// swaps it, and the next handshake sees it (connections already up keep theirs).
/// </summary>
public sealed class CertificateStore
{
    private readonly Dictionary<string, SslStreamCertificateContext> _byName;

    public CertificateStore(IReadOnlyDictionary<string, SslStreamCertificateContext> byName, SslStreamCertificateContext placeholder)
    {
        _byName = new(byName, StringComparer.Ordinal);
        Placeholder = placeholder;
    }

    public SslStreamCertificateContext Placeholder { get; }
    public IReadOnlyCollection<string> Names => _byName.Keys;

    public SslStreamCertificateContext Select(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName)) return Placeholder;
        var h = serverName.TrimEnd('.').ToLowerInvariant();
        if (_byName.TryGetValue(h, out var c)) return c;
        var dot = h.IndexOf('.');
        if (dot > 0 && _byName.TryGetValue("*" + h[dot..], out c)) return c;
        return Placeholder;
    }

    public bool Has(string name) => _byName.ContainsKey(name);

    public static SslStreamCertificateContext Context(X509Certificate2 leaf, X509Certificate2Collection? chain = null) =>
        SslStreamCertificateContext.Create(leaf, chain ?? [], offline: true);

    /// <summary>A self-signed ECDSA P-256 certificate for <paramref name="names"/>, valid from an hour ago for <paramref name="days"/> days.</summary>
    public static X509Certificate2 SelfSigned(IReadOnlyList<string> names, DateTimeOffset now, int days = 7, Action<CertificateRequest>? extra = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=" + (names.Count > 0 ? names[0] : "volt-ingress placeholder"), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var n in names) san.AddDnsName(n);
        if (names.Count > 0) req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        extra?.Invoke(req);
        return req.CreateSelfSigned(now.AddHours(-1), now.AddDays(days));
    }
}
