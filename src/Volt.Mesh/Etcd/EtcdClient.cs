using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Volt.Core.Errors;

namespace Volt.Mesh.Etcd;

/// <summary>
/// An etcd v3 client over etcd's JSON gateway (<c>POST /v3/kv/range</c>, <c>/v3/kv/put</c>, <c>/v3/kv/txn</c>,
/// <c>/v3/lease/*</c>, <c>/v3/watch</c>; docs/decisions.md "etcd through its JSON gateway"): plain HTTP/1.1 and
/// source-generated JSON, nothing for Native AOT to trim. Endpoints are tried in order; a request that cannot reach
/// any of them is <see cref="ExitCode.Network"/> naming them.
/// </summary>
public sealed class EtcdClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly List<Uri> _endpoints;
    private int _current;

    public EtcdClient(IEnumerable<string> endpoints, TimeSpan? requestTimeout = null)
    {
        _endpoints = [.. endpoints.Select(ParseEndpoint)];
        if (_endpoints.Count == 0) throw VoltException.Usage("--etcd needs at least one URL");
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(2),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            UseProxy = false,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(5);
    }

    public TimeSpan RequestTimeout { get; }

    public IReadOnlyList<Uri> Endpoints => _endpoints;

    /// <summary>The endpoints as the user wrote them, for messages.</summary>
    public string Shown => string.Join(",", _endpoints.Select(e => e.ToString().TrimEnd('/')));

    /// <summary>An http(s)://HOST:PORT URL; anything else is a usage error naming it.</summary>
    public static Uri ParseEndpoint(string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var u) || (u.Scheme != "http" && u.Scheme != "https")
            || string.IsNullOrEmpty(u.Host) || u.PathAndQuery is not ("/" or ""))
            throw VoltException.Usage($"invalid etcd URL \"{text}\": expected http://HOST:PORT");
        return u;
    }

    public static List<string> SplitEndpoints(string? list) =>
        [.. (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>The end of the range of every key starting with <paramref name="prefix"/>.</summary>
    public static byte[] PrefixEnd(byte[] prefix)
    {
        var end = (byte[])prefix.Clone();
        for (var i = end.Length - 1; i >= 0; i--)
        {
            if (end[i] < 0xff) { end[i]++; return end[..(i + 1)]; }
        }
        return [0];
    }

    public static byte[] Key(string key) => Encoding.UTF8.GetBytes(key);

    public async Task<RangeResponse> RangeAsync(string key, bool prefix = false, CancellationToken ct = default)
    {
        var k = Key(key);
        return await PostAsync("/v3/kv/range", new RangeRequest { Key = k, RangeEnd = prefix ? PrefixEnd(k) : null },
            EtcdJson.Default.RangeRequest, EtcdJson.Default.RangeResponse, ct).ConfigureAwait(false);
    }

    public async Task<KeyValue?> GetAsync(string key, CancellationToken ct = default) =>
        (await RangeAsync(key, false, ct).ConfigureAwait(false)).Kvs?.FirstOrDefault();

    public Task PutAsync(string key, string value, long lease = 0, CancellationToken ct = default) =>
        PostAsync("/v3/kv/put", new PutRequest { Key = Key(key), Value = Encoding.UTF8.GetBytes(value), Lease = lease },
            EtcdJson.Default.PutRequest, EtcdJson.Default.RangeResponse, ct);

    public Task DeleteAsync(string key, bool prefix = false, CancellationToken ct = default)
    {
        var k = Key(key);
        return PostAsync("/v3/kv/deleterange", new DeleteRangeRequest { Key = k, RangeEnd = prefix ? PrefixEnd(k) : null },
            EtcdJson.Default.DeleteRangeRequest, EtcdJson.Default.RangeResponse, ct);
    }

    public async Task<bool> TxnAsync(TxnRequest txn, CancellationToken ct = default) =>
        (await PostAsync("/v3/kv/txn", txn, EtcdJson.Default.TxnRequest, EtcdJson.Default.TxnResponse, ct).ConfigureAwait(false)).Succeeded;

    public async Task<long> LeaseGrantAsync(long ttlSeconds, CancellationToken ct = default)
    {
        var r = await PostAsync("/v3/lease/grant", new LeaseGrantRequest { Ttl = ttlSeconds },
            EtcdJson.Default.LeaseGrantRequest, EtcdJson.Default.LeaseGrantResponse, ct).ConfigureAwait(false);
        if (r.Id == 0) throw new VoltException(ExitCode.Network, $"etcd at {Shown} granted no lease: {r.Error}");
        return r.Id;
    }

    /// <summary>Renews a lease once; the TTL left, 0 when the lease no longer exists (expired or revoked).</summary>
    public async Task<long> LeaseKeepAliveAsync(long id, CancellationToken ct = default)
    {
        var r = await PostAsync("/v3/lease/keepalive", new LeaseIdRequest { Id = id },
            EtcdJson.Default.LeaseIdRequest, EtcdJson.Default.LeaseKeepAliveResponse, ct).ConfigureAwait(false);
        return r.Result?.Ttl ?? 0;
    }

    public Task LeaseRevokeAsync(long id, CancellationToken ct = default) =>
        PostAsync("/v3/lease/revoke", new LeaseIdRequest { Id = id }, EtcdJson.Default.LeaseIdRequest, EtcdJson.Default.RangeResponse, ct);

    /// <summary>
    /// Watches every key under <paramref name="prefix"/> from <paramref name="startRevision"/>, calling
    /// <paramref name="onEvents"/> for each batch, until the stream ends (an exception) or <paramref name="ct"/> fires.
    /// <paramref name="onCreated"/> runs once the watch is established.
    /// </summary>
    public async Task WatchAsync(string prefix, long startRevision, Func<IReadOnlyList<WatchEvent>, long, Task> onEvents,
        Action? onCreated, CancellationToken ct)
    {
        var k = Key(prefix);
        var body = JsonSerializer.SerializeToUtf8Bytes(new WatchRequest { Create = new WatchCreateRequest { Key = k, RangeEnd = PrefixEnd(k), StartRevision = startRevision } },
            EtcdJson.Default.WatchRequest);
        var baseUri = _endpoints[Volatile.Read(ref _current) % _endpoints.Count];
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
        connect.CancelAfter(RequestTimeout);
        using var req = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, "/v3/watch")) { Content = Json(body) };
        HttpResponseMessage resp;
        try { resp = await _http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, connect.Token).ConfigureAwait(false); }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            Rotate();
            throw Unreachable(baseUri, e);
        }
        using (resp)
        {
            if (!resp.IsSuccessStatusCode) throw new VoltException(ExitCode.Network, $"etcd at {baseUri} refused the watch: HTTP {(int)resp.StatusCode}");
            await using var stream = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (true)
            {
                var line = await reader.ReadLineAsync(ct).ConfigureAwait(false);
                if (line is null) throw new VoltException(ExitCode.Network, $"etcd at {baseUri} closed the watch");
                if (line.Length == 0) continue;
                var w = JsonSerializer.Deserialize(line, EtcdJson.Default.WatchResponse);
                if (w?.Error is { } err) throw new VoltException(ExitCode.Network, $"etcd watch failed: {err.Message ?? err.Error}");
                if (w?.Result is not { } r) continue;
                if (r.Canceled) throw new VoltException(ExitCode.Network, $"etcd cancelled the watch (compacted at {r.CompactRevision})");
                if (r.Created) onCreated?.Invoke();
                if (r.Events is { Count: > 0 } ev) await onEvents(ev, r.Header?.Revision ?? 0).ConfigureAwait(false);
            }
        }
    }

    private async Task<TResp> PostAsync<TReq, TResp>(string path, TReq request, JsonTypeInfo<TReq> reqInfo, JsonTypeInfo<TResp> respInfo, CancellationToken ct)
        where TResp : new()
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, reqInfo);
        Exception? last = null;
        Uri? lastUri = null;
        var start = Volatile.Read(ref _current);
        for (var i = 0; i < _endpoints.Count; i++)
        {
            var idx = (start + i) % _endpoints.Count;
            var baseUri = _endpoints[idx];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(RequestTimeout);
            try
            {
                using var resp = await _http.PostAsync(new Uri(baseUri, path), Json(body), timeout.Token).ConfigureAwait(false);
                var text = await resp.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                if (!resp.IsSuccessStatusCode)
                {
                    var err = TryError(text);
                    throw new VoltException(ExitCode.Network, $"etcd at {baseUri} answered HTTP {(int)resp.StatusCode} to {path}: {err}");
                }
                Volatile.Write(ref _current, idx);
                return JsonSerializer.Deserialize(text, respInfo) ?? new TResp();
            }
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                last = e;
                lastUri = baseUri;
            }
        }
        throw Unreachable(lastUri!, last!, all: _endpoints.Count > 1);
    }

    private VoltException Unreachable(Uri uri, Exception e, bool all = false) =>
        new(ExitCode.Network, $"etcd unreachable at {(all ? Shown : uri.ToString().TrimEnd('/'))}: {(e is OperationCanceledException ? $"no answer within {RequestTimeout.TotalSeconds:0.#} s" : e.Message)}");

    private void Rotate() => Interlocked.Increment(ref _current);

    private static string TryError(string text)
    {
        try { var e = JsonSerializer.Deserialize(text, EtcdJson.Default.EtcdError); return e?.Message ?? e?.Error ?? text; }
        catch (JsonException) { return text.Length > 200 ? text[..200] : text; }
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var c = new ByteArrayContent(body);
        c.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return c;
    }

    public void Dispose() => _http.Dispose();
}
