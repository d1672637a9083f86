using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Volt.Core.IO;
using Volt.Ingress.Proxy;
using Volt.Ingress.Tls;

namespace Volt.Ingress.Acme;

/// <summary>
/// Certificates for <c>--tls auto</c> routes: issued for exactly the hostnames configured as such routes (no
/// on-demand issuance), kept in <c>/etc/volt/ingress/acme/</c>, renewed at two thirds of their lifetime or when the
/// CA's renewal info (ARI) says so, retried with exponential back-off (and the CA's Retry-After) on failure; until
/// a name has a certificate the proxy serves the self-signed placeholder.
/// <code>
/// acme/account.key          ECDSA P-256, PKCS#8 PEM, 0600
/// acme/certs/HOST.crt       leaf + chain as the CA sent it
/// acme/certs/HOST.key       the certificate's own P-256 key, 0600
/// </code>
/// </summary>
public sealed class AcmeManager : IAsyncDisposable
{
    private static readonly UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly AcmeSettings _settings;
    private readonly string _dir;
    private readonly ChallengeStore _challenges;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Func<IReadOnlyList<string>> _hosts;
    private readonly Action<string> _issued;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Dictionary<string, (DateTimeOffset Next, TimeSpan Delay)> _backoff = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private AcmeClient? _client;

    public AcmeManager(AcmeSettings settings, string dir, ChallengeStore challenges, Func<IReadOnlyList<string>> hosts, Action<string> issued,
        TimeProvider? time = null, ILogger? log = null)
    {
        _settings = settings; _dir = dir; _challenges = challenges; _hosts = hosts; _issued = issued;
        _time = time ?? TimeProvider.System;
        _log = log ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>"http-01" (on the HTTP port) or "tls-alpn-01" (on the HTTPS port).</summary>
    public string Challenge { get; init; } = "http-01";

    private string CertFile(string host) => Path.Combine(_dir, "certs", host + ".crt");
    private string KeyFile(string host) => Path.Combine(_dir, "certs", host + ".key");
    public string AccountKeyFile => Path.Combine(_dir, "account.key");

    /// <summary>The stored certificate for <paramref name="host"/> while it is valid.</summary>
    public (X509Certificate2 Leaf, X509Certificate2Collection Chain)? Get(string host)
    {
        try
        {
            if (!File.Exists(CertFile(host))) return null;
            var loaded = PemCertificate.Load(CertFile(host), KeyFile(host), host, _time.GetUtcNow());
            return loaded;
        }
        catch (Volt.Core.Errors.VoltException) { return null; }
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Routes changed: look again at once.</summary>
    public void Wake() => _wake.Release();

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var next = _time.GetUtcNow() + TimeSpan.FromHours(1);
            foreach (var host in _hosts())
            {
                if (ct.IsCancellationRequested) return;
                var due = await DueAsync(host, ct).ConfigureAwait(false);
                if (_backoff.TryGetValue(host, out var b) && b.Next > _time.GetUtcNow()) { due = b.Next; }
                if (due <= _time.GetUtcNow())
                {
                    try
                    {
                        await IssueAsync(host, ct).ConfigureAwait(false);
                        _backoff.Remove(host);
                        _issued(host);
                        due = await DueAsync(host, ct).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is AcmeException or HttpRequestException or IOException or CryptographicException or InvalidOperationException or System.Text.Json.JsonException or TaskCanceledException && !ct.IsCancellationRequested)
                    {
                        var delay = _backoff.TryGetValue(host, out var prev) ? TimeSpan.FromTicks(Math.Min(prev.Delay.Ticks * 2, TimeSpan.FromHours(6).Ticks)) : TimeSpan.FromSeconds(30);
                        if (e is AcmeException { RetryAfter: { } ra } && ra > delay) delay = ra;
                        _backoff[host] = (_time.GetUtcNow() + delay, delay);
                        IngressLog.AcmeFailed(_log, host, e.Message + (Get(host) is null ? " (serving the self-signed placeholder)" : " (serving the previous certificate)"), delay);
                        due = _time.GetUtcNow() + delay;
                    }
                }
                if (due < next) next = due;
            }
            var wait = next - _time.GetUtcNow();
            if (wait < TimeSpan.FromMilliseconds(100)) wait = TimeSpan.FromMilliseconds(100);
            if (wait > TimeSpan.FromHours(12)) wait = TimeSpan.FromHours(12);
            try { await _wake.WaitAsync(wait, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>When <paramref name="host"/>'s certificate is due: now if none, else ARI's window start or 2/3 of its lifetime.</summary>
    public async Task<DateTimeOffset> DueAsync(string host, CancellationToken ct)
    {
        if (Get(host) is not { } c) return DateTimeOffset.MinValue;
        var nb = new DateTimeOffset(c.Leaf.NotBefore.ToUniversalTime());
        var na = new DateTimeOffset(c.Leaf.NotAfter.ToUniversalTime());
        var twoThirds = nb + (na - nb) * 2 / 3;
        if (_client is not null)
        {
            try { if (await _client.RenewalStartAsync(c.Leaf, ct).ConfigureAwait(false) is { } ari && ari < twoThirds) return ari; }
            catch (Exception e) when (e is AcmeException or HttpRequestException or TaskCanceledException) { }
        }
        return twoThirds;
    }

    private async Task<AcmeClient> ClientAsync(CancellationToken ct)
    {
        if (_client is not null) return _client;
        Directory.CreateDirectory(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(AccountKeyFile)) key.ImportFromPem(await File.ReadAllTextAsync(AccountKeyFile, ct).ConfigureAwait(false));
        else WritePrivate(AccountKeyFile, key.ExportPkcs8PrivateKeyPem());
        var client = new AcmeClient(new Uri(_settings.Directory), key, AcmeClient.Handler(_settings.CaBundle), _time);
        await client.AccountAsync(_settings.Email, ct).ConfigureAwait(false);
        IngressLog.Acme(_log, $"account {client.AccountUrl} at {_settings.Directory}");
        return _client = client;
    }

    /// <summary>One issuance: order, authorizations (reused ones skipped), challenge, finalize, download, store.</summary>
    public async Task IssueAsync(string host, CancellationToken ct)
    {
        var client = await ClientAsync(ct).ConfigureAwait(false);
        string? replaces = Get(host) is { } old && await client.HasRenewalInfoAsync(ct).ConfigureAwait(false) ? AcmeClient.CertId(old.Leaf) : null;
        IngressLog.Acme(_log, $"ordering a certificate for {host}{(replaces is null ? "" : " (renewal)")}");
        JsonObject order; string orderUrl;
        try { (order, orderUrl) = await client.NewOrderAsync([host], replaces, ct).ConfigureAwait(false); }
        catch (AcmeException) when (replaces is not null) { (order, orderUrl) = await client.NewOrderAsync([host], null, ct).ConfigureAwait(false); }
        foreach (var authzUrl in order["authorizations"]!.AsArray().Select(a => (string)a!))
        {
            var authz = await client.GetAsync(authzUrl, ct).ConfigureAwait(false);
            if ((string?)authz["status"] == "valid") continue; // reused (pebble and Let's Encrypt both do)
            var challenge = authz["challenges"]!.AsArray().OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == Challenge)
                ?? throw new AcmeException("", $"the CA offers no {Challenge} challenge for {host}", System.Net.HttpStatusCode.OK);
            var token = (string)challenge["token"]!;
            var keyAuth = client.KeyAuthorization(token);
            X509Certificate2? alpnCert = null;
            if (Challenge == "http-01") _challenges.AddHttp(token, keyAuth);
            else
            {
                alpnCert = AlpnCertificate(host, keyAuth, _time.GetUtcNow());
                _challenges.AddAlpn(host, CertificateStore.Context(alpnCert));
            }
            try
            {
                await client.PostAsync((string)challenge["url"]!, new JsonObject(), ct).ConfigureAwait(false);
                var done = await client.PollAsync(authzUrl, TimeSpan.FromMinutes(2), ct).ConfigureAwait(false);
                if ((string?)done["status"] != "valid")
                {
                    var err = done["challenges"]?.AsArray().OfType<JsonObject>().Select(c => c["error"]).FirstOrDefault(e => e is not null);
                    throw new AcmeException((string?)err?["type"] ?? "", $"authorization for {host} is {(string?)done["status"]}: {(string?)err?["detail"] ?? "no detail"}", System.Net.HttpStatusCode.OK);
                }
            }
            finally
            {
                _challenges.RemoveHttp(token);
                _challenges.RemoveAlpn(host);
                alpnCert?.Dispose();
            }
        }
        using var certKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=" + host, certKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(host);
        req.CertificateExtensions.Add(san.Build());
        var csr = req.CreateSigningRequest();
        order = await client.GetAsync(orderUrl, ct).ConfigureAwait(false);
        if ((string?)order["status"] == "ready")
            await client.PostAsync((string)order["finalize"]!, new JsonObject { ["csr"] = AcmeClient.B64(csr) }, ct).ConfigureAwait(false);
        order = await client.PollAsync(orderUrl, TimeSpan.FromMinutes(2), ct).ConfigureAwait(false);
        if ((string?)order["status"] != "valid" || (string?)order["certificate"] is not { } certUrl)
            throw new AcmeException("", $"order for {host} ended {(string?)order["status"]}", System.Net.HttpStatusCode.OK);
        var pem = await client.DownloadAsync(certUrl, ct).ConfigureAwait(false);
        var keyPem = certKey.ExportPkcs8PrivateKeyPem();
        Directory.CreateDirectory(Path.Combine(_dir, "certs"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // key first: a crash between the two leaves a key no certificate names yet, never a certificate without its key
        WritePrivate(KeyFile(host) + ".new", keyPem);
        AtomicFile.WriteAllText(CertFile(host) + ".new", pem);
        PemCertificate.Load(CertFile(host) + ".new", KeyFile(host) + ".new", host, _time.GetUtcNow());
        File.Move(KeyFile(host) + ".new", KeyFile(host), overwrite: true);
        File.Move(CertFile(host) + ".new", CertFile(host), overwrite: true);
        IngressLog.Acme(_log, $"certificate for {host} stored ({client.BadNonceRetries} badNonce retries so far)");
    }

    /// <summary>RFC 8737: a self-signed certificate for the name with the critical acmeIdentifier extension = SHA-256(keyAuthorization).</summary>
    public static X509Certificate2 AlpnCertificate(string host, string keyAuthorization, DateTimeOffset now) =>
        CertificateStore.SelfSigned([host], now, 1, req =>
        {
            var digest = SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(keyAuthorization));
            var value = new byte[2 + digest.Length];
            value[0] = 0x04; value[1] = (byte)digest.Length; // DER OCTET STRING
            digest.CopyTo(value, 2);
            req.CertificateExtensions.Add(new X509Extension(new Oid("1.3.6.1.5.5.7.1.31"), value, critical: true));
        });

    private static void WritePrivate(string path, string text)
    {
        using (var f = new FileStream(path, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = Private }))
        {
            f.Write(System.Text.Encoding.ASCII.GetBytes(text));
            f.Flush(flushToDisk: true);
        }
        File.SetUnixFileMode(path, Private);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null) { try { await _loop.ConfigureAwait(false); } catch (OperationCanceledException) { } }
        _client?.Dispose();
        _stop.Dispose();
    }
}
