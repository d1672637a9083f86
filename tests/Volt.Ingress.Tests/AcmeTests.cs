using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Shouldly;
using Volt.Ingress.Acme;
using Volt.Ingress.Proxy;
using Volt.Ingress.Routes;
using Volt.Testing;
using Xunit;

namespace Volt.Ingress.Tests;

public sealed class AcmeTests
{
    [Theory]
    [InlineData("http-01")]
    [InlineData("tls-alpn-01")]
    public async Task AnAutoRoute_GetsItsCertificateFromPebble_ByReallyAnsweringTheChallenge(string challenge)
    {
        using var pebble = new Pebble();
        await using var web = await Backend.StartAsync("web");
        using var dir = new TempDir("volt-ingress");
        var store = new RouteStore(dir.Combine("etc"));
        var host = "app-" + Guid.NewGuid().ToString("N")[..8] + ".volt.test";
        store.Create(new IngressRoute { Name = "web", Hostname = host, Backends = [web.Target], Tls = TlsModes.Auto, Created = DateTimeOffset.UtcNow });
        var logs = new List<string>();
        await using var server = await IngressServer.StartAsync(new IngressOptions
        {
            Store = store, Listen = IPAddress.Loopback, HttpPort = pebble.HttpPort, HttpsPort = pebble.TlsPort, Watch = false,
            Logging = new ListLoggerFactory(logs), AcmeChallenge = challenge,
            Acme = new AcmeSettings { Directory = pebble.Directory, Email = "ops@volt.test", CaBundle = pebble.ListenerCa },
        });
        // until issued the route serves the placeholder, with a clear line saying so
        lock (logs) logs.ShouldContain(l => l.StartsWith("15007 ") && l.Contains(host));
        var root = X509Certificate2.CreateFromPem(await pebble.RootPemAsync());
        try { await ProxyTests.Until(async () => (await Presented(pebble.TlsPort, host)).Issuer != (await Presented(pebble.TlsPort, "placeholder.invalid")).Issuer, 120); }
        catch (OperationCanceledException) { lock (logs) throw new Xunit.Sdk.XunitException("not issued:\n" + string.Join("\n", logs) + "\npebble:\n" + pebble.Log); }

        var cert = await Presented(pebble.TlsPort, host);
        cert.GetNameInfo(X509NameType.DnsName, false).ShouldBe(host);
        // the chain the ingress presents verifies up to pebble's root
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, pebble.TlsPort);
        using var ssl = new SslStream(tcp.GetStream());
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { root }, RevocationMode = X509RevocationMode.NoCheck },
        });
        ssl.IsAuthenticated.ShouldBeTrue();
        // the account key is private
        File.GetUnixFileMode(Path.Combine(store.AcmeDir, "account.key")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var pem = Path.Combine(dir.Path, "root.pem");
        File.WriteAllText(pem, root.ExportCertificatePem());
        var curl = TestEnv.Run("curl", ["-sS", "--cacert", pem, "--resolve", $"{host}:{pebble.TlsPort}:127.0.0.1", $"https://{host}:{pebble.TlsPort}/hello"]);
        curl.Code.ShouldBe(0, curl.Err);
        curl.Out.ShouldContain("backend=web");
    }

    [Fact]
    public async Task AnIdentifierTheCaRejects_KeepsThePlaceholder_LogsIt_AndBacksOff()
    {
        using var pebble = new Pebble();
        using var dir = new TempDir("volt-ingress");
        var store = new RouteStore(dir.Combine("etc"));
        store.Create(new IngressRoute { Name = "web", Hostname = "unreachable.volt.test", Backends = ["127.0.0.1:9"], Tls = TlsModes.Auto, Created = DateTimeOffset.UtcNow });
        var logs = new List<string>();
        // HTTP port not the one pebble validates on: the challenge fails for real
        await using var server = await IngressServer.StartAsync(new IngressOptions
        {
            Store = store, Listen = IPAddress.Loopback, HttpPort = 0, HttpsPort = 0, Watch = false, Logging = new ListLoggerFactory(logs),
            Acme = new AcmeSettings { Directory = pebble.Directory, CaBundle = pebble.ListenerCa },
        });
        await ProxyTests.Until(() => { lock (logs) return Task.FromResult(logs.Any(l => l.StartsWith("15009 "))); }, 120);
        lock (logs) logs.First(l => l.StartsWith("15009 ")).ShouldContain("serving the self-signed placeholder");
        (await Presented(server.HttpsAddress!.Port, "unreachable.volt.test")).Subject.ShouldContain("placeholder");
    }

    [Fact]
    public void TlsAlpnCertificates_CarryTheCriticalAcmeIdentifier()
    {
        using var c = AcmeManager.AlpnCertificate("a.example.com", "tok.thumb", DateTimeOffset.UtcNow);
        var ext = c.Extensions["1.3.6.1.5.5.7.1.31"].ShouldNotBeNull();
        ext.Critical.ShouldBeTrue();
        ext.RawData.Length.ShouldBe(34);
        ext.RawData[..2].ShouldBe(new byte[] { 0x04, 0x20 });
        ext.RawData[2..].ShouldBe(System.Security.Cryptography.SHA256.HashData("tok.thumb"u8));
    }

    private static async Task<X509Certificate2> Presented(int port, string sni)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        using var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = sni });
        return new X509Certificate2(ssl.RemoteCertificate!);
    }
}
