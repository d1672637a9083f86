using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Volt.Core.Errors;

namespace Volt.Ingress.Tls;

/// <summary>A PEM certificate chain + key loaded and checked for a hostname: the checks <c>create</c> and reload make.</summary>
public static class PemCertificate
{
    /// <summary>
    /// Loads <paramref name="certFile"/> (leaf first, then intermediates) with <paramref name="keyFile"/> and refuses
    /// (exit 12) a key that does not match, a certificate outside its validity period, or one that does not name
    /// <paramref name="hostname"/>.
    /// </summary>
    public static (X509Certificate2 Leaf, X509Certificate2Collection Chain) Load(string certFile, string keyFile, string hostname, DateTimeOffset now)
    {
        X509Certificate2Collection all = [];
        string keyPem;
        try
        {
            all.ImportFromPemFile(certFile);
            keyPem = File.ReadAllText(keyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new VoltException(e is FileNotFoundException or DirectoryNotFoundException ? ExitCode.NotFound : ExitCode.InvalidConfig,
                $"cannot read certificate {certFile} / key {keyFile}: {e.Message}", e);
        }
        if (all.Count == 0) throw new VoltException(ExitCode.InvalidConfig, $"{certFile} holds no PEM certificate");
        var leaf = WithKey(all[0], keyPem, certFile, keyFile);
        var chain = new X509Certificate2Collection();
        for (int i = 1; i < all.Count; i++) chain.Add(all[i]);
        Check(leaf, hostname, now, certFile);
        return (leaf, chain);
    }

    private static X509Certificate2 WithKey(X509Certificate2 cert, string keyPem, string certFile, string keyFile)
    {
        try
        {
            using var pub = cert.GetECDsaPublicKey();
            if (pub is not null)
            {
                using var ec = ECDsa.Create();
                ec.ImportFromPem(keyPem);
                return Matching(pub.ExportSubjectPublicKeyInfo(), ec.ExportSubjectPublicKeyInfo(), certFile, keyFile) ? cert.CopyWithPrivateKey(ec) : throw Mismatch(certFile, keyFile);
            }
            using var rpub = cert.GetRSAPublicKey();
            if (rpub is not null)
            {
                using var rsa = RSA.Create();
                rsa.ImportFromPem(keyPem);
                return Matching(rpub.ExportSubjectPublicKeyInfo(), rsa.ExportSubjectPublicKeyInfo(), certFile, keyFile) ? cert.CopyWithPrivateKey(rsa) : throw Mismatch(certFile, keyFile);
            }
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new VoltException(ExitCode.InvalidConfig, $"{keyFile} is not a usable private key for {certFile}: {e.Message}", e);
        }
        throw new VoltException(ExitCode.InvalidConfig, $"{certFile}: only RSA and ECDSA certificates are supported");
    }

    private static bool Matching(byte[] a, byte[] b, string certFile, string keyFile) => a.AsSpan().SequenceEqual(b);

    private static VoltException Mismatch(string certFile, string keyFile) =>
        new(ExitCode.InvalidConfig, $"the key {keyFile} does not match the certificate {certFile}");

    /// <summary>Validity window and hostname coverage.</summary>
    public static void Check(X509Certificate2 leaf, string hostname, DateTimeOffset now, string source)
    {
        if (now.UtcDateTime > leaf.NotAfter.ToUniversalTime())
            throw new VoltException(ExitCode.InvalidConfig, $"the certificate {source} expired on {leaf.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC");
        if (now.UtcDateTime < leaf.NotBefore.ToUniversalTime())
            throw new VoltException(ExitCode.InvalidConfig, $"the certificate {source} is not valid before {leaf.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC");
        var names = DnsNames(leaf);
        if (!names.Any(n => Covers(n, hostname)))
            throw new VoltException(ExitCode.InvalidConfig, $"the certificate {source} does not cover {hostname} (it names {(names.Count == 0 ? "no DNS name" : string.Join(", ", names))})");
    }

    /// <summary>The certificate's DNS subject alternative names (the common name only when it has none).</summary>
    public static IReadOnlyList<string> DnsNames(X509Certificate2 cert)
    {
        var names = new List<string>();
        foreach (var ext in cert.Extensions)
            if (ext is X509SubjectAlternativeNameExtension san)
                names.AddRange(san.EnumerateDnsNames().Select(n => n.ToLowerInvariant()));
        if (names.Count == 0 && cert.GetNameInfo(X509NameType.DnsName, false) is { Length: > 0 } cn) names.Add(cn.ToLowerInvariant());
        return names;
    }

    /// <summary>Whether a certificate name (maybe <c>*.x</c>) covers a route hostname (maybe <c>*.x</c> itself).</summary>
    public static bool Covers(string certName, string hostname)
    {
        if (certName == hostname) return true;
        if (!certName.StartsWith("*.", StringComparison.Ordinal) || hostname.StartsWith("*.", StringComparison.Ordinal)) return false;
        var dot = hostname.IndexOf('.');
        return dot > 0 && hostname[(dot + 1)..] == certName[2..];
    }
}
