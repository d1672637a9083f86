using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Volt.Core.Errors;

namespace Volt.Ingress.Acme;

/// <summary>An ACME problem document (RFC 8555 §6.7) or a protocol failure.</summary>
public sealed class AcmeException(string type, string detail, HttpStatusCode status, TimeSpan? retryAfter = null)
    : VoltException(ExitCode.Network, $"ACME {(type.Length == 0 ? "error" : type.Replace("urn:ietf:params:acme:error:", "", StringComparison.Ordinal))}: {detail}")
{
    public string Type { get; } = type;
    public HttpStatusCode Status { get; } = status;
    public TimeSpan? RetryAfter { get; } = retryAfter;
    public bool IsRateLimited => Type.EndsWith(":rateLimited", StringComparison.Ordinal);
}

/// <summary>
/// An RFC 8555 client on HttpClient: JWS with an ECDSA P-256 account key (ES256), nonces (a badNonce answer is
/// retried with the fresh nonce it carries), POST-as-GET, Retry-After. Only what the ingress needs: one account,
/// orders for DNS names, HTTP-01 / TLS-ALPN-01, finalize, chain download, renewal info (ARI, RFC 9773).
/// </summary>
public sealed class AcmeClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ECDsa _key;
    private readonly Uri _directoryUrl;
    private readonly TimeProvider _time;
    private readonly Stack<string> _nonces = new();
    private readonly Lock _gate = new();
    private JsonObject? _directory;

    public AcmeClient(Uri directory, ECDsa accountKey, HttpMessageHandler? handler = null, TimeProvider? time = null)
    {
        _directoryUrl = directory;
        _key = accountKey;
        _time = time ?? TimeProvider.System;
        _http = new HttpClient(handler ?? new SocketsHttpHandler(), disposeHandler: true) { Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("volt-ingress/0.1");
    }

    /// <summary>The account URL (the JWS <c>kid</c>) once <see cref="AccountAsync"/> ran.</summary>
    public string? AccountUrl { get; private set; }

    /// <summary>Requests that were answered badNonce and retried (pebble rejects 5 % on purpose).</summary>
    public int BadNonceRetries { get; private set; }

    /// <summary>An HTTP handler trusting extra PEM roots (the ACME server's own CA, e.g. pebble's) besides the system's.</summary>
    public static SocketsHttpHandler Handler(string? caBundle)
    {
        var h = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (caBundle is null) return h;
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(caBundle);
        h.SslOptions.RemoteCertificateValidationCallback = (_, cert, chain, errors) =>
        {
            if (errors == System.Net.Security.SslPolicyErrors.None) return true;
            if (cert is null || (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) != 0) return false;
            using var c = new X509Chain();
            c.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            c.ChainPolicy.CustomTrustStore.AddRange(roots);
            c.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null) c.ChainPolicy.ExtraStore.AddRange(chain.ChainElements.Select(e => e.Certificate).ToArray());
            return c.Build(new X509Certificate2(cert));
        };
        return h;
    }

    public async Task<JsonObject> DirectoryAsync(CancellationToken ct)
    {
        if (_directory is not null) return _directory;
        using var r = await _http.GetAsync(_directoryUrl, ct).ConfigureAwait(false);
        if (!r.IsSuccessStatusCode) throw new AcmeException("", $"directory {_directoryUrl} answered {(int)r.StatusCode}", r.StatusCode);
        return _directory = JsonNode.Parse(await r.Content.ReadAsStringAsync(ct).ConfigureAwait(false)) as JsonObject
            ?? throw new AcmeException("", "the directory is not a JSON object", r.StatusCode);
    }

    private async Task<string> Url(string name, CancellationToken ct) =>
        (string?)(await DirectoryAsync(ct).ConfigureAwait(false))[name] ?? throw new AcmeException("", $"the directory has no {name}", HttpStatusCode.OK);

    public async Task<bool> HasRenewalInfoAsync(CancellationToken ct) => (await DirectoryAsync(ct).ConfigureAwait(false))["renewalInfo"] is not null;

    private async Task<string> NonceAsync(CancellationToken ct)
    {
        lock (_gate) if (_nonces.TryPop(out var n)) return n;
        using var req = new HttpRequestMessage(HttpMethod.Head, await Url("newNonce", ct).ConfigureAwait(false));
        using var r = await _http.SendAsync(req, ct).ConfigureAwait(false);
        return r.Headers.TryGetValues("Replay-Nonce", out var v) ? v.First() : throw new AcmeException("", "newNonce gave no Replay-Nonce", r.StatusCode);
    }

    /// <summary>The account key's JWK (members in lexicographic order, as the thumbprint needs: RFC 7638).</summary>
    public string Jwk()
    {
        var p = _key.ExportParameters(false);
        return $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{B64(p.Q.X!)}\",\"y\":\"{B64(p.Q.Y!)}\"}}";
    }

    /// <summary><c>token.thumbprint</c>: what HTTP-01 serves and TLS-ALPN-01 hashes.</summary>
    public string KeyAuthorization(string token) => token + "." + B64(SHA256.HashData(Encoding.UTF8.GetBytes(Jwk())));

    public static string B64(ReadOnlySpan<byte> b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A signed POST (payload null = POST-as-GET), retrying badNonce; the answer and its headers.</summary>
    public async Task<(JsonNode? Body, HttpResponseHeaders Headers, string Text)> PostAsync(string url, JsonNode? payload, CancellationToken ct, bool useJwk = false)
    {
        for (int attempt = 0; ; attempt++)
        {
            var nonce = await NonceAsync(ct).ConfigureAwait(false);
            var header = new JsonObject { ["alg"] = "ES256", ["nonce"] = nonce, ["url"] = url };
            if (useJwk || AccountUrl is null) header["jwk"] = JsonNode.Parse(Jwk());
            else header["kid"] = AccountUrl;
            var protectedB64 = B64(Encoding.UTF8.GetBytes(header.ToJsonString()));
            var payloadB64 = payload is null ? "" : B64(Encoding.UTF8.GetBytes(payload.ToJsonString()));
            var sig = _key.SignData(Encoding.ASCII.GetBytes(protectedB64 + "." + payloadB64), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            var body = new JsonObject { ["protected"] = protectedB64, ["payload"] = payloadB64, ["signature"] = B64(sig) }.ToJsonString();
            using var content = new StringContent(body, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/jose+json");
            using var r = await _http.PostAsync(url, content, ct).ConfigureAwait(false);
            if (r.Headers.TryGetValues("Replay-Nonce", out var next)) lock (_gate) _nonces.Push(next.First());
            var text = await r.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (r.IsSuccessStatusCode)
            {
                var json = r.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true && text.Length > 0 ? JsonNode.Parse(text) : null;
                return (json, r.Headers, text);
            }
            var problem = text.Length > 0 && text.TrimStart().StartsWith('{') ? JsonNode.Parse(text) : null;
            var type = (string?)problem?["type"] ?? "";
            if (type == "urn:ietf:params:acme:error:badNonce" && attempt < 10) { BadNonceRetries++; continue; }
            throw new AcmeException(type, (string?)problem?["detail"] ?? $"HTTP {(int)r.StatusCode} from {url}", r.StatusCode, r.Headers.RetryAfter?.Delta);
        }
    }

    /// <summary>Finds or creates the account for this key (terms agreed), and remembers its URL.</summary>
    public async Task<string> AccountAsync(string? email, CancellationToken ct)
    {
        var payload = new JsonObject { ["termsOfServiceAgreed"] = true };
        if (email is not null) payload["contact"] = new JsonArray("mailto:" + email);
        var (_, headers, _) = await PostAsync(await Url("newAccount", ct).ConfigureAwait(false), payload, ct, useJwk: true).ConfigureAwait(false);
        AccountUrl = headers.Location?.ToString() ?? throw new AcmeException("", "newAccount gave no account URL", HttpStatusCode.OK);
        return AccountUrl;
    }

    public async Task<(JsonObject Order, string Url)> NewOrderAsync(IReadOnlyList<string> names, string? replaces, CancellationToken ct)
    {
        var payload = new JsonObject { ["identifiers"] = new JsonArray([.. names.Select(n => (JsonNode)new JsonObject { ["type"] = "dns", ["value"] = n })]) };
        if (replaces is not null) payload["replaces"] = replaces;
        var (body, headers, _) = await PostAsync(await Url("newOrder", ct).ConfigureAwait(false), payload, ct).ConfigureAwait(false);
        return ((JsonObject)body!, headers.Location!.ToString());
    }

    public async Task<JsonObject> GetAsync(string url, CancellationToken ct) => (JsonObject)(await PostAsync(url, null, ct).ConfigureAwait(false)).Body!;

    /// <summary>Polls <paramref name="url"/> until its status leaves pending/processing (Retry-After honoured, bounded).</summary>
    public async Task<JsonObject> PollAsync(string url, TimeSpan limit, CancellationToken ct)
    {
        var deadline = _time.GetUtcNow() + limit;
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            var (body, headers, _) = await PostAsync(url, null, ct).ConfigureAwait(false);
            var o = (JsonObject)body!;
            var status = (string?)o["status"];
            if (status is not ("pending" or "processing")) return o;
            if (_time.GetUtcNow() > deadline) throw new AcmeException("", $"{url} still {status} after {limit.TotalSeconds:0} s", HttpStatusCode.OK);
            var wait = headers.RetryAfter?.Delta is { } ra && ra < TimeSpan.FromSeconds(10) ? ra : delay;
            await Task.Delay(wait, _time, ct).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(3).Ticks));
        }
    }

    public async Task<string> DownloadAsync(string url, CancellationToken ct) => (await PostAsync(url, null, ct).ConfigureAwait(false)).Text;

    /// <summary>ARI (RFC 9773): the suggested renewal window's start for a certificate, or null when not offered.</summary>
    public async Task<DateTimeOffset?> RenewalStartAsync(X509Certificate2 cert, CancellationToken ct)
    {
        var dir = await DirectoryAsync(ct).ConfigureAwait(false);
        if ((string?)dir["renewalInfo"] is not { } baseUrl || CertId(cert) is not { } id) return null;
        try
        {
            using var r = await _http.GetAsync(baseUrl.TrimEnd('/') + "/" + id, ct).ConfigureAwait(false);
            if (!r.IsSuccessStatusCode) return null;
            var o = JsonNode.Parse(await r.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
            return DateTimeOffset.TryParse((string?)o?["suggestedWindow"]?["start"], System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : null;
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException) { return null; }
    }

    /// <summary>ARI's certificate id: base64url(AKI keyIdentifier) "." base64url(serial DER bytes).</summary>
    public static string? CertId(X509Certificate2 cert)
    {
        var aki = cert.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault()?.KeyIdentifier;
        if (aki is null) return null;
        return B64(aki.Value.Span) + "." + B64(cert.SerialNumberBytes.Span);
    }

    public void Dispose() => _http.Dispose();
}
