using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Shouldly;
using Volt.Registry.Hosting;
using Xunit;

namespace Volt.Registry.Tests.Clients;

/// <summary>The registry over HTTPS with a certificate from a CA the test makes; skopeo trusts it via --cert-dir.</summary>
public sealed class TlsTests : RegistryTestBase
{
    private string CertDir => Path.Combine(Root, "certs");

    protected override RegistryOptions Options()
    {
        Directory.CreateDirectory(CertDir);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caReq = new CertificateRequest("CN=Volt Test CA", caKey, HashAlgorithmName.SHA256);
        caReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        // One instant for both: with a UtcNow each, the leaf's notAfter could fall a second past the CA's (certificates
        // keep whole seconds) and CertificateRequest.Create refused it (CI, once).
        var now = DateTimeOffset.UtcNow;
        using var ca = caReq.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        using var leaf = req.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(8));

        File.WriteAllText(Path.Combine(CertDir, "ca.crt"), ca.ExportCertificatePem());
        var certFile = Path.Combine(Root, "server.crt");
        var keyFile = Path.Combine(Root, "server.key");
        File.WriteAllText(certFile, leaf.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return new RegistryOptions { Paths = Paths, Port = 0, TlsCert = certFile, TlsKey = keyFile };
    }

    [Fact]
    public async Task Skopeo_OverTls_WithTheTestCa_PushesAndInspects()
    {
        Tools.Require("skopeo");
        Server.Address.Scheme.ShouldBe("https");
        var (src, layer) = OciLayout.Create(Path.Combine(Root, "src"), "v1");
        var env = new Dictionary<string, string?> { ["REGISTRY_AUTH_FILE"] = Path.Combine(Root, "auth.json") };
        var push = await Tools.RunAsync("skopeo", ["copy", "--dest-cert-dir", CertDir, "--dest-creds", $"ci:{PushToken()}",
            $"oci:{src}:v1", $"docker://{Server.HostPort}/tls/app:v1"], env);
        push.ExitCode.ShouldBe(0, Tools.Describe(push));
        var inspect = await Tools.RunAsync("skopeo", ["inspect", "--cert-dir", CertDir, $"docker://{Server.HostPort}/tls/app:v1"], env);
        inspect.ExitCode.ShouldBe(0, Tools.Describe(inspect));
        inspect.StdOut.ShouldContain(layer);
        var untrusted = await Tools.RunAsync("skopeo", ["inspect", $"docker://{Server.HostPort}/tls/app:v1"], env);
        untrusted.ExitCode.ShouldNotBe(0, "without the CA the certificate is not trusted");
    }
}
