using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Volt.Core.Errors;
using Volt.Images.Oci;

namespace Volt.Images.Distribution;

/// <summary>
/// An OCI distribution client for one repository over <see cref="HttpClient"/>: manifests, blobs, uploads.
/// Authentication follows the registry's 401 challenge: <c>Bearer</c> → token endpoint (anonymous, or with
/// basic credentials), <c>Basic</c> → the credentials directly. Tokens are cached per scope. Loopback
/// registries (and <c>insecure</c>) are spoken to over plain HTTP.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ImageReference _ref;
    private readonly RegistryCredentials? _creds;
    private readonly Dictionary<string, AuthenticationHeaderValue> _auth = [];

    public RegistryClient(ImageReference reference, RegistryCredentials? creds = null, bool insecure = false, HttpMessageHandler? handler = null)
    {
        _ref = reference.ForPull();
        _creds = creds;
        var scheme = insecure || _ref.IsLoopback ? "http" : "https";
        _http = new HttpClient(handler ?? new SocketsHttpHandler { UseProxy = !_ref.IsLoopback, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = new Uri($"{scheme}://{_ref.ApiHost}/v2/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("volt/0.1");
    }

    public ImageReference Reference => _ref;

    private string Repo => _ref.Repository;

    /// <summary>GET a manifest by tag or digest (accepting OCI and Docker v2 manifests and indexes).</summary>
    public async Task<(byte[] Body, string? MediaType)> GetManifestAsync(string reference, CancellationToken ct)
    {
        using var resp = await SendAsync(() =>
        {
            var req = new HttpRequestMessage(HttpMethod.Get, $"{Repo}/manifests/{reference}");
            foreach (var t in MediaTypes.AcceptedManifests) req.Headers.Accept.ParseAdd(t);
            return req;
        }, "pull", ct).ConfigureAwait(false);
        if (resp.StatusCode == HttpStatusCode.NotFound) throw VoltException.NotFound($"image \"{_ref.Name}:{reference}\" not found in the registry");
        await EnsureOk(resp, $"fetching manifest {reference}").ConfigureAwait(false);
        if (resp.Content.Headers.ContentLength > 4 << 20) throw new VoltException(ExitCode.Resource, $"manifest {reference} is larger than 4 MiB");
        var body = await resp.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        return (body, resp.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>GET a blob; the returned stream is unverified (callers hash while reading).</summary>
    public async Task<Stream> GetBlobAsync(string digest, CancellationToken ct)
    {
        var resp = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"{Repo}/blobs/{digest}"), "pull", ct, streamBody: true).ConfigureAwait(false);
        try
        {
            if (resp.StatusCode == HttpStatusCode.NotFound) throw VoltException.NotFound($"blob {digest} of {_ref.Name} not found in the registry");
            await EnsureOk(resp, $"fetching blob {digest}").ConfigureAwait(false);
            return new ResponseStream(await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false), resp);
        }
        catch
        {
            resp.Dispose();
            throw;
        }
    }

    public async Task<bool> BlobExistsAsync(string digest, CancellationToken ct)
    {
        using var resp = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, $"{Repo}/blobs/{digest}"), "push,pull", ct).ConfigureAwait(false);
        if (resp.StatusCode == HttpStatusCode.NotFound) return false;
        await EnsureOk(resp, $"checking blob {digest}").ConfigureAwait(false);
        return true;
    }

    /// <summary>Uploads a blob: POST a session, then one monolithic PUT with the digest.</summary>
    public async Task UploadBlobAsync(string digest, Func<Stream> open, long size, CancellationToken ct)
    {
        Uri location;
        using (var start = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, $"{Repo}/blobs/uploads/"), "push,pull", ct).ConfigureAwait(false))
        {
            await EnsureOk(start, "starting a blob upload").ConfigureAwait(false);
            location = start.Headers.Location ?? throw new VoltException(ExitCode.Network, "registry started an upload without a Location");
        }
        if (!location.IsAbsoluteUri) location = new Uri(_http.BaseAddress!, location);
        var sep = location.Query.Length > 0 ? "&" : "?";
        var url = new Uri(location + sep + "digest=" + Uri.EscapeDataString(digest));
        using var resp = await SendAsync(() =>
        {
            var content = new StreamContent(open());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.ContentLength = size;
            return new HttpRequestMessage(HttpMethod.Put, url) { Content = content };
        }, "push,pull", ct).ConfigureAwait(false);
        await EnsureOk(resp, $"uploading blob {digest}").ConfigureAwait(false);
    }

    public async Task PutManifestAsync(string reference, byte[] body, string mediaType, CancellationToken ct)
    {
        using var resp = await SendAsync(() =>
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return new HttpRequestMessage(HttpMethod.Put, $"{Repo}/manifests/{reference}") { Content = content };
        }, "push,pull", ct).ConfigureAwait(false);
        await EnsureOk(resp, $"pushing manifest {reference}").ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> make, string actions, CancellationToken ct, bool streamBody = false)
    {
        var scope = $"repository:{Repo}:{actions}";
        var completion = streamBody ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead;
        for (var attempt = 0; ; attempt++)
        {
            using var req = make();
            if (_auth.TryGetValue(scope, out var auth)) req.Headers.Authorization = auth;
            HttpResponseMessage resp;
            try { resp = await _http.SendAsync(req, completion, ct).ConfigureAwait(false); }
            catch (HttpRequestException e) { throw new VoltException(ExitCode.Network, $"Failed reaching registry {_ref.Registry}: {e.Message}", e); }
            if (resp.StatusCode != HttpStatusCode.Unauthorized || attempt > 0) return resp;
            var challenge = Challenge.Parse(resp.Headers.WwwAuthenticate.ToString());
            resp.Dispose();
            _auth[scope] = await AuthenticateAsync(challenge, scope, ct).ConfigureAwait(false);
        }
    }

    private async Task<AuthenticationHeaderValue> AuthenticateAsync(Challenge? challenge, string scope, CancellationToken ct)
    {
        if (challenge is null || challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (_creds is null) throw new VoltException(ExitCode.Permission, $"registry {_ref.Registry} requires credentials (--creds USER:PASSWORD)");
            return new AuthenticationHeaderValue("Basic", _creds.Basic);
        }
        var realm = challenge["realm"] ?? throw new VoltException(ExitCode.Permission, $"registry {_ref.Registry} sent a Bearer challenge without a realm");
        var query = new List<string>();
        if (challenge["service"] is { } service) query.Add("service=" + Uri.EscapeDataString(service));
        // Ask for what this request needs and what the challenge names: a registry that narrows tokens to the
        // requested scope (Docker's token flow) would otherwise hand a HEAD's pull-only token to the push after it.
        query.Add("scope=" + Uri.EscapeDataString(scope));
        if (challenge["scope"] is { } asked && asked != scope) query.Add("scope=" + Uri.EscapeDataString(asked));
        var url = realm + (realm.Contains('?') ? "&" : "?") + string.Join("&", query);
        using var req = new HttpRequestMessage(HttpMethod.Get, url);
        if (_creds is not null) req.Headers.Authorization = new AuthenticationHeaderValue("Basic", _creds.Basic);
        HttpResponseMessage resp;
        try { resp = await _http.SendAsync(req, ct).ConfigureAwait(false); }
        catch (HttpRequestException e) { throw new VoltException(ExitCode.Network, $"Failed reaching the token endpoint {realm}: {e.Message}", e); }
        using (resp)
        {
            if (!resp.IsSuccessStatusCode) throw new VoltException(ExitCode.Permission, $"token endpoint {realm} refused: {(int)resp.StatusCode} {resp.ReasonPhrase}");
            using var doc = JsonDocument.Parse(await resp.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false));
            var token = doc.RootElement.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()
                : doc.RootElement.TryGetProperty("access_token", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            if (string.IsNullOrEmpty(token)) throw new VoltException(ExitCode.Permission, $"token endpoint {realm} returned no token");
            return new AuthenticationHeaderValue("Bearer", token);
        }
    }

    private async Task EnsureOk(HttpResponseMessage resp, string action)
    {
        if (resp.IsSuccessStatusCode) return;
        var body = "";
        try { body = (await resp.Content.ReadAsStringAsync().ConfigureAwait(false)).Trim(); } catch (HttpRequestException) { }
        if (body.Length > 300) body = body[..300];
        var code = resp.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ExitCode.Permission,
            HttpStatusCode.NotFound => ExitCode.NotFound,
            _ => ExitCode.Network,
        };
        throw new VoltException(code, $"Failed {action} on {_ref.Registry}/{Repo}: {(int)resp.StatusCode} {resp.ReasonPhrase} {body}".TrimEnd());
    }

    public void Dispose() => _http.Dispose();

    /// <summary>A response body that disposes its response with it.</summary>
    private sealed class ResponseStream(Stream inner, HttpResponseMessage owner) : Volt.Core.IO.ReadOnlyStream
    {
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => inner.ReadAsync(buffer, ct);
        protected override void Dispose(bool disposing)
        {
            if (disposing) { inner.Dispose(); owner.Dispose(); }
            base.Dispose(disposing);
        }
    }
}
