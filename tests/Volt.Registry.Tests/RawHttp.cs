using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Volt.Registry.Tests;

/// <summary>A response read off the wire: status line code, headers and body as text.</summary>
public sealed record RawResponse(int Status, string Head, string Body);

/// <summary>
/// Sends bytes exactly as given (no client-side escaping or validation) and reads the response until the server
/// closes: the way to send %0A in a path, a broken chunk-size line or a malformed form.
/// </summary>
public static class RawHttp
{
    /// <summary><paramref name="abandon"/>: close right after sending (a client that goes away mid-request); status -1.</summary>
    public static async Task<RawResponse> SendAsync(Uri server, byte[] request, CancellationToken ct, bool abandon = false)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port, ct);
        var stream = tcp.GetStream();
        try { await stream.WriteAsync(request, ct); }
        catch (IOException) { /* the server may answer and close before reading everything */ }
        if (abandon) return new RawResponse(-1, "", "");
        using var ms = new MemoryStream();
        try { await stream.CopyToAsync(ms, ct); }
        catch (IOException) { /* reset after the response */ }
        var text = Encoding.UTF8.GetString(ms.ToArray());
        if (text.Length < 12 || !text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal)) return new RawResponse(0, text, "");
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return new RawResponse(int.Parse(text.AsSpan(9, 3)), split < 0 ? text : text[..split], split < 0 ? "" : text[(split + 4)..]);
    }

    /// <summary>A request with <c>Connection: close</c>, a Content-Length for <paramref name="body"/>, and extra header lines.</summary>
    public static byte[] Request(string method, string target, string? bearer, byte[]? body = null, params string[] headers)
    {
        var sb = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        if (bearer is not null) sb.Append($"Authorization: Bearer {bearer}\r\n");
        foreach (var h in headers) sb.Append(h).Append("\r\n");
        if (!headers.Any(h => h.StartsWith("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)))
            sb.Append($"Content-Length: {body?.Length ?? 0}\r\n");
        sb.Append("\r\n");
        return [.. Encoding.ASCII.GetBytes(sb.ToString()), .. body ?? []];
    }
}
