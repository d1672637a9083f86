using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Volt.Core.Errors;
using Volt.Workloads.Containers;
using Volt.Workloads.Supervision;

namespace Volt.Daemon;

/// <summary>
/// The voltd supervisor as the CLI sees it: typed calls over the unix socket, errors back as exit codes. Each call is
/// one HTTP/1.1 exchange on a fresh connection (<c>Connection: close</c>) written by hand: the API is four routes on a
/// local socket, and HttpClient's handler pipeline (which also loads OpenSSL) was a sixth of a CLI start's CPU.
/// </summary>
public sealed class DaemonClient(string socketPath) : ISupervisor, IDisposable
{
    private Socket? _connected;

    public string Name => "voltd";
    public string SocketPath => socketPath;

    /// <summary>Whether something accepts connections on the socket (cheaper than a request; a stale file refuses).</summary>
    public async Task<bool> IsListeningAsync(CancellationToken ct = default)
    {
        if (!File.Exists(socketPath)) return false;
        try
        {
            // Kept for the first request: one connect instead of two on the CLI's start path.
            Interlocked.Exchange(ref _connected, await ConnectAsync(ct).ConfigureAwait(false))?.Dispose();
            return true;
        }
        catch (SocketException) { return false; }
    }

    public async Task<PingResponse?> TryPingAsync(CancellationToken ct = default)
    {
        if (!File.Exists(socketPath)) return null;
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(TimeSpan.FromSeconds(2));
            var (status, body) = await SendAsync("GET", "v1/ping", null, cts.Token).ConfigureAwait(false);
            return status == 200 ? JsonSerializer.Deserialize(body, DaemonJson.Default.PingResponse) : null;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or JsonException) { return null; }
    }

    /// <summary>Creates and starts a container in one call (<c>volt run -d</c>).</summary>
    public Task CreateAndStartAsync(CreateRequest request, CancellationToken ct = default) =>
        PostAsync("v1/containers?start=1", ct, JsonSerializer.SerializeToUtf8Bytes(request, DaemonJson.Default.CreateRequest));

    public Task StartAsync(string name, CancellationToken ct = default) => PostAsync($"v1/containers/{Uri.EscapeDataString(name)}/start", ct);

    public Task StopAsync(string name, TimeSpan timeout, CancellationToken ct = default) =>
        PostAsync($"v1/containers/{Uri.EscapeDataString(name)}/stop?timeout={timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}", ct);

    /// <summary>Tells voltd to re-read a task's units and state (after create, enable, disable).</summary>
    public Task ReloadTaskAsync(string name, CancellationToken ct = default) => PostAsync($"v1/tasks/{Uri.EscapeDataString(name)}/reload", ct);

    /// <summary>Ends a task's timer and stops its run in progress (before delete).</summary>
    public Task RemoveTaskAsync(string name, CancellationToken ct = default) => PostAsync($"v1/tasks/{Uri.EscapeDataString(name)}/remove", ct);

    /// <summary>Runs a task now; returns its record once it ended.</summary>
    public async Task<Workloads.Tasks.TaskRun> RunTaskAsync(string name, CancellationToken ct = default) =>
        JsonSerializer.Deserialize(await PostAsync($"v1/tasks/{Uri.EscapeDataString(name)}/run", ct).ConfigureAwait(false), DaemonJson.Default.TaskRun)
        ?? throw new VoltException(ExitCode.Daemon, "voltd answered an empty task run");

    private async Task<byte[]> PostAsync(string path, CancellationToken ct, byte[]? body = null)
    {
        int status;
        byte[] answer;
        try { (status, answer) = await SendAsync("POST", path, body, ct).ConfigureAwait(false); }
        catch (Exception e) when (e is SocketException or IOException)
        {
            throw new VoltException(ExitCode.Daemon, $"voltd at {socketPath} is not answering: {e.Message}", e);
        }
        if (status is >= 200 and < 300) return answer;
        ErrorResponse? error = null;
        try { error = JsonSerializer.Deserialize(answer, DaemonJson.Default.ErrorResponse); } catch (JsonException) { }
        throw new VoltException(error is null ? ExitCode.Daemon : (ExitCode)error.Code, error?.Message ?? $"voltd answered {status}");
    }

    private async Task<Socket> ConnectAsync(CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
            return socket;
        }
        catch { socket.Dispose(); throw; }
    }

    /// <summary>One request, the whole response (read to EOF): status code and de-chunked body.</summary>
    private async Task<(int Status, byte[] Body)> SendAsync(string method, string path, byte[]? body, CancellationToken ct)
    {
        using var socket = Interlocked.Exchange(ref _connected, null) ?? await ConnectAsync(ct).ConfigureAwait(false);
        var head = Encoding.ASCII.GetBytes(
            $"{method} /{path} HTTP/1.1\r\nHost: voltd\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {body?.Length ?? 0}\r\n\r\n");
        await socket.SendAsync(head, SocketFlags.None, ct).ConfigureAwait(false);
        if (body is { Length: > 0 }) await socket.SendAsync(body, SocketFlags.None, ct).ConfigureAwait(false);
        using var response = new MemoryStream();
        var buffer = new byte[8192];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false)) > 0) response.Write(buffer, 0, n);
        return HttpResponseParser.Parse(response.ToArray());
    }

    public void Dispose() => Interlocked.Exchange(ref _connected, null)?.Dispose();
}

/// <summary>Parses a complete HTTP/1.1 response: status line, headers, body (Content-Length, chunked, or to EOF).</summary>
public static class HttpResponseParser
{
    public static (int Status, byte[] Body) Parse(ReadOnlySpan<byte> raw)
    {
        var end = raw.IndexOf("\r\n\r\n"u8);
        if (end < 0) throw new IOException("voltd closed the connection before a complete response header");
        var lines = Encoding.ASCII.GetString(raw[..end]).Split("\r\n");
        var status = lines[0].Split(' ');
        if (status.Length < 2 || !status[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(status[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            throw new IOException($"voltd sent a malformed status line: {lines[0]}");
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var rest = raw[(end + 4)..];
        if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            return (code, Dechunk(rest));
        if (headers.TryGetValue("Content-Length", out var cl) && int.TryParse(cl, NumberStyles.None, CultureInfo.InvariantCulture, out var len))
            return rest.Length >= len ? (code, rest[..len].ToArray()) : throw new IOException("voltd's response body was cut short");
        return (code, rest.ToArray());
    }

    private static byte[] Dechunk(ReadOnlySpan<byte> data)
    {
        using var body = new MemoryStream();
        while (true)
        {
            var eol = data.IndexOf("\r\n"u8);
            if (eol < 0) throw new IOException("voltd's chunked response was cut short");
            var sizeText = Encoding.ASCII.GetString(data[..eol]).Split(';')[0].Trim();
            if (!int.TryParse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size) || size < 0)
                throw new IOException($"voltd sent a malformed chunk size \"{sizeText}\"");
            data = data[(eol + 2)..];
            if (size == 0) return body.ToArray();
            if (data.Length < size + 2) throw new IOException("voltd's chunked response was cut short");
            body.Write(data[..size]);
            data = data[(size + 2)..];
        }
    }
}
