using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Volt.Testing;

namespace Volt.Ingress.Tests;

/// <summary>
/// Debian's pebble (ACME test CA) and pebble-challtestsrv (its DNS: every name → 127.0.0.1) on free loopback
/// ports; pebble's VA validates HTTP-01 on <see cref="HttpPort"/> and TLS-ALPN-01 on <see cref="TlsPort"/>, where
/// the test's ingress listens. Nonce rejection stays at pebble's default 5 %; PEBBLE_VA_ALWAYS_VALID is not set.
/// Both killed by PID on dispose.
/// </summary>
public sealed class Pebble : IDisposable
{
    private readonly Process _pebble, _dns;
    public TempDir Dir { get; } = new("volt-pebble");

    public Pebble()
    {
        TestEnv.RequireTool("pebble");
        TestEnv.RequireTool("pebble-challtestsrv");
        HttpPort = FreePort(); TlsPort = FreePort(); AcmePort = FreePort(); MgmtPort = FreePort();
        var dnsPort = FreePort(); var dnsMgmt = FreePort();
        // pebble's own HTTPS listener needs a certificate: a throwaway CA signs one for 127.0.0.1
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caReq = new CertificateRequest("CN=volt test pebble listener CA", caKey, HashAlgorithmName.SHA256);
        caReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caReq.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder(); san.AddIpAddress(IPAddress.Loopback); san.AddDnsName("localhost");
        req.CertificateExtensions.Add(san.Build());
        using var leaf = req.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), [1, 2, 3, 4]);
        ListenerCa = Dir.Write("listener-ca.pem", ca.ExportCertificatePem());
        var certFile = Dir.Write("listener.pem", leaf.ExportCertificatePem());
        var keyFile = Dir.Write("listener.key", key.ExportPkcs8PrivateKeyPem());
        var config = Dir.Write("pebble.json", $$"""
            { "pebble": { "listenAddress": "127.0.0.1:{{AcmePort}}", "managementListenAddress": "127.0.0.1:{{MgmtPort}}",
              "certificate": "{{certFile}}", "privateKey": "{{keyFile}}", "httpPort": {{HttpPort}}, "tlsPort": {{TlsPort}},
              "ocspResponderURL": "", "externalAccountBindingRequired": false} }
            """);
        _dns = Start("pebble-challtestsrv", ["-defaultIPv4", "127.0.0.1", "-defaultIPv6", "", "-dns01", $"127.0.0.1:{dnsPort}",
            "-http01", "", "-https01", "", "-tlsalpn01", "", "-management", $"127.0.0.1:{dnsMgmt}"], []);
        _pebble = Start("pebble", ["-config", config, "-dnsserver", $"127.0.0.1:{dnsPort}"], new() { ["PEBBLE_VA_NOSLEEP"] = "1" });
        WaitForPort(AcmePort);
        WaitForPort(MgmtPort);
    }

    public int HttpPort { get; }
    public int TlsPort { get; }
    public int AcmePort { get; }
    public int MgmtPort { get; }
    public string ListenerCa { get; }
    public string Directory => $"https://127.0.0.1:{AcmePort}/dir";
    public string Log => _log.ToString();
    private readonly System.Text.StringBuilder _log = new();

    /// <summary>pebble's issuing root (it makes a new one each start).</summary>
    public async Task<string> RootPemAsync()
    {
        using var h = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        return await h.GetStringAsync($"https://127.0.0.1:{MgmtPort}/roots/0");
    }

    private Process Start(string file, string[] args, Dictionary<string, string> env)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        p.BeginOutputReadLine(); p.BeginErrorReadLine();
        return p;
    }

    internal static int FreePort() => ProxyTests.FreePort();

    private static void WaitForPort(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try { using var c = new TcpClient(); c.Connect(IPAddress.Loopback, port); return; }
            catch (SocketException) when (DateTime.UtcNow < deadline) { Thread.Sleep(50); }
        }
    }

    public void Dispose()
    {
        foreach (var p in new[] { _pebble, _dns })
        {
            try { p.Kill(); p.WaitForExit(10_000); } catch (InvalidOperationException) { }
            p.Dispose();
        }
        Dir.Dispose();
    }
}
