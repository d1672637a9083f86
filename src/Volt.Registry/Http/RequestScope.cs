using Microsoft.AspNetCore.Http;

namespace Volt.Registry.Http;

/// <summary>One request as the endpoints see it: the HTTP context, its route, and its byte counters for the log.</summary>
public sealed class RequestScope(HttpContext http, Route route)
{
    public HttpContext Http { get; } = http;
    public HttpRequest Request => Http.Request;
    public HttpResponse Response => Http.Response;
    public Route Route { get; } = route;
    public string Name => Route.Name;
    public CancellationToken Aborted => Http.RequestAborted;
    /// <summary>The authorized token's claims (null: anonymous, or not yet authorized).</summary>
    public Auth.AccessToken? Token { get; set; }
    public long BytesIn { get; set; }
    public long BytesOut { get; set; }

    public void AddBytesIn(long n) => BytesIn += n;

    /// <summary>A query parameter, or null when absent or empty.</summary>
    public string? Query(string key)
    {
        var v = Request.Query[key];
        return v.Count == 0 || string.IsNullOrEmpty(v[0]) ? null : v[0];
    }

    /// <summary>Sends a small body with an explicit Content-Length (HEAD sends the headers only).</summary>
    public async Task WriteAsync(int status, string contentType, byte[] body)
    {
        Response.StatusCode = status;
        Response.ContentType = contentType;
        Response.ContentLength = body.Length;
        if (HttpMethods.IsHead(Request.Method)) return;
        BytesOut += body.Length;
        await Response.Body.WriteAsync(body, Aborted).ConfigureAwait(false);
    }

    public void Empty(int status)
    {
        Response.StatusCode = status;
        Response.ContentLength = 0;
    }
}
