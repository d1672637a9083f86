using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Shouldly;
using Volt.Core.Errors;
using Volt.Ingress.Routes;
using Volt.Ingress.Tls;
using Xunit;

namespace Volt.Ingress.Tests;

public sealed class TlsTests
{
    [Fact]
    public async Task ManualCertificates_AreChosenBySni_OverHttp2()
    {
        await using var web = await Backend.StartAsync("web");
        await using var ing = new Ingress();
        var a = TestCerts.Write(ing.Dir, "a", ["a.example.com"]);
        var w = TestCerts.Write(ing.Dir, "w", ["*.example.net"]);
        ing.Add("a", "a.example.com", web.Target, tls: TlsModes.Manual, cert: a.Cert, key: a.Key);
        ing.Add("w", "*.example.net", web.Target, tls: TlsModes.Manual, cert: w.Cert, key: w.Key);
        await ing.StartAsync();
        (await Presented(ing, "a.example.com")).Thumbprint.ShouldBe(a.X509.Thumbprint);
        (await Presented(ing, "shop.example.net")).Thumbprint.ShouldBe(w.X509.Thumbprint);
        var other = await Presented(ing, "unknown.example.org");
        other.Thumbprint.ShouldNotBe(a.X509.Thumbprint);
        other.Subject.ShouldContain("placeholder");

        using var c = ing.Client(http2: true, trust: a.X509);
        var body = await c.GetStringAsync("https://a.example.com/x");
        body.ShouldContain("xfproto=https");
        body.ShouldContain("backend=web");
        // the client spoke HTTP/2 to the ingress (RequestVersionExact), the ingress HTTP/1.1 to the backend
        body.ShouldContain("protocol=HTTP/1.1");
    }

    [Fact]
    public void BadCertificates_AreRefusedAtCreate()
    {
        using var dir = new Volt.Testing.TempDir("volt-ingress");
        var store = new RouteStore(dir.Combine("etc"));
        var good = TestCerts.Write(dir, "good", ["app.example.com"]);
        var other = TestCerts.Write(dir, "other", ["app.example.com"]);
        var expired = TestCerts.Write(dir, "old", ["app.example.com"], DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1));
        var wrongName = TestCerts.Write(dir, "name", ["www.example.com"]);
        IngressRoute R(string cert, string key) => new() { Name = "app", Hostname = "app.example.com", Backends = ["127.0.0.1:1"], Tls = TlsModes.Manual, Cert = cert, Key = key };

        Should.Throw<VoltException>(() => store.Create(R(good.Cert, other.Key))).Message.ShouldContain("does not match");
        var e = Should.Throw<VoltException>(() => store.Create(R(expired.Cert, expired.Key)));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Message.ShouldContain("expired");
        Should.Throw<VoltException>(() => store.Create(R(wrongName.Cert, wrongName.Key))).Message.ShouldContain("does not cover app.example.com (it names www.example.com)");
        store.List().ShouldBeEmpty();
        store.Create(R(good.Cert, good.Key));
        store.List().Count.ShouldBe(1);
    }

    [Fact]
    public async Task ACertificateThatGoesBad_IsRefusedAtReload_AndTheRunningOneIsKept()
    {
        await using var web = await Backend.StartAsync("web");
        await using var ing = new Ingress();
        var a = TestCerts.Write(ing.Dir, "a", ["a.example.com"]);
        ing.Add("a", "a.example.com", web.Target, tls: TlsModes.Manual, cert: a.Cert, key: a.Key);
        await ing.StartAsync();
        var other = TestCerts.Write(ing.Dir, "b", ["a.example.com"]);
        File.Copy(other.Key, a.Key, overwrite: true); // the key no longer matches the certificate
        ing.Add("late", "late.example.com", web.Target);
        var r = ing.Server.Reload("test");
        r.Applied.ShouldBeFalse();
        r.Problem!.ShouldContain("does not match");
        ing.Server.Routes.Routes.Select(x => x.Name).ShouldBe(["a"]); // "late" was not taken in either: all or nothing
        (await Presented(ing, "a.example.com")).Thumbprint.ShouldBe(a.X509.Thumbprint);
        lock (ing.Logs) ing.Logs.ShouldContain(l => l.StartsWith("15003 ") && l.Contains("running configuration is kept"));
    }

    [Fact]
    public async Task Passthrough_ForwardsTheRawTlsStream_ToABackendThatTerminatesIt()
    {
        await using var ing = new Ingress();
        var tls = TestCerts.Write(ing.Dir, "db", ["db.example.com"]);
        await using var backend = await Backend.StartAsync("tls-backend", X509Certificate2.CreateFromPemFile(tls.Cert, tls.Key));
        await using var web = await Backend.StartAsync("web");
        ing.Add("db", "db.example.com", backend.Target, tls: TlsModes.Passthrough);
        ing.Add("web", "*.example.com", web.Target);
        await ing.StartAsync();
        // the certificate the client sees is the backend's own, and the answer comes from the backend
        (await Presented(ing, "db.example.com")).Thumbprint.ShouldBe(tls.X509.Thumbprint);
        using var c = ing.Client(trust: tls.X509);
        var body = await c.GetStringAsync("https://db.example.com/through");
        body.ShouldContain("backend=tls-backend");
        body.ShouldContain("xff=\n"); // nothing in between added headers: the bytes were not touched
        // another name on the same port is terminated by the ingress
        using var c2 = ing.Client();
        (await c2.GetStringAsync("https://other.example.com/")).ShouldContain("backend=web");
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("\u0016\u0003\u0001\u00ff\u00ff")]
    [InlineData("\u0016\u0003\u0001\u0000\u0010\u0001\u0000\u0000\u00ff")]
    public async Task MalformedClientHellos_AreClosed(string bytes)
    {
        await using var ing = new Ingress();
        await ing.StartAsync();
        using var s = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync(IPAddress.Loopback, ing.Server.HttpsAddress!.Port);
        await s.SendAsync(Encoding.Latin1.GetBytes(bytes));
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buf = new byte[100];
        (await s.ReceiveAsync(buf, SocketFlags.None, guard.Token)).ShouldBe(0);
    }

    [Fact]
    public async Task AClientThatNeverSendsItsClientHello_IsClosedByTheTimeout()
    {
        await using var ing = new Ingress();
        await ing.StartAsync(headerTimeout: TimeSpan.FromSeconds(2));
        using var s = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync(IPAddress.Loopback, ing.Server.HttpsAddress!.Port);
        await s.SendAsync(new byte[] { 0x16, 0x03, 0x01 });
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        (await s.ReceiveAsync(new byte[10], SocketFlags.None, guard.Token)).ShouldBe(0);
        lock (ing.Logs) ing.Logs.ShouldContain(l => l.Contains("no complete ClientHello"));
    }

    [Fact]
    public void ClientHello_ParsesSniAndAlpn_FromARealHandshake()
    {
        var bytes = CaptureClientHello("Shop.Example.com", ["h2", "acme-tls/1"]);
        ClientHello.TryParse(new(bytes), out var hello).ShouldBe(ClientHello.Status.Ok);
        hello!.ServerName.ShouldBe("shop.example.com");
        hello.Alpn.ShouldBe(["h2", "acme-tls/1"]);
        for (int cut = 1; cut < bytes.Length; cut += 37)
            ClientHello.TryParse(new(bytes.AsMemory(0, cut)), out _).ShouldBe(ClientHello.Status.NeedMore);
        var corrupt = (byte[])bytes.Clone();
        corrupt[9] ^= 0xff; // legacy_version, then random: flip bytes in the handshake length
        corrupt[6] = 0xff;
        ClientHello.TryParse(new(corrupt), out _).ShouldNotBe(ClientHello.Status.Ok);
    }

    private static byte[] CaptureClientHello(string sni, string[] alpn)
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        var client = Task.Run(async () =>
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            using var ssl = new SslStream(tcp.GetStream());
            try
            {
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = sni, ApplicationProtocols = [.. alpn.Select(a => new SslApplicationProtocol(a))],
                }).WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception) { }
        });
        using var server = l.AcceptTcpClient();
        var buf = new byte[16384];
        var got = new List<byte>();
        var stream = server.GetStream();
        while (true)
        {
            var n = stream.Read(buf);
            got.AddRange(buf.AsSpan(0, n).ToArray());
            if (ClientHello.TryParse(new(got.ToArray()), out _) != ClientHello.Status.NeedMore || n == 0) break;
        }
        server.Close();
        client.Wait();
        return [.. got];
    }

    /// <summary>The certificate the HTTPS port presents for a server name.</summary>
    internal static async Task<X509Certificate2> Presented(Ingress ing, string sni)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, ing.Server.HttpsAddress!.Port);
        using var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = sni });
        return new X509Certificate2(ssl.RemoteCertificate!);
    }
}
