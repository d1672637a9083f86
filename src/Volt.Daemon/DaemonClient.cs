using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Hosting;
using Volt.Workloads.Containers;
using Volt.Workloads.Supervision;

namespace Volt.Daemon;

/// <summary>
/// The voltd supervisor as the CLI sees it: typed calls over the unix socket, errors back as exit codes. Each call is
/// one HTTP/1.1 exchange on a fresh connection (<c>Connection: close</c>) written by hand: the API is a dozen routes on
/// a local socket, and HttpClient's handler pipeline (which also loads OpenSSL) was a sixth of a CLI start's CPU.
/// Every call goes through <see cref="CallAsync"/> with a row of <see cref="DaemonRoutes"/>: there is no other way to
/// name a path here.
/// </summary>
/// <param name="blocking">Each call runs on the caller's thread with blocking socket calls on a bare descriptor
/// (<see cref="LocalSocket"/>; a cancelled token shuts the socket down, which ends a blocked receive at once): for a
/// command that makes its calls one at a time. No socket engine, epoll thread or pool workers started and woken for
/// the answer — a tenth of a <c>volt service start</c>'s CPU. Callers that overlap calls (compose's parallel starts
/// and stops) keep the asynchronous calls on <see cref="Socket"/>.</param>
public sealed class DaemonClient(string socketPath, bool blocking = false) : ISupervisor, IDisposable
{
    /// <summary>The connection <see cref="IsListeningAsync"/> made, kept for the first request: a <see cref="Socket"/>,
    /// or a <see cref="LocalSocket"/> when <c>blocking</c>.</summary>
    private IDisposable? _connected;

    public string Name => "voltd";
    public string SocketPath => socketPath;

    /// <summary>Whether something accepts connections on the socket (cheaper than a request; a stale file refuses).</summary>
    public async Task<bool> IsListeningAsync(CancellationToken ct = default)
    {
        if (!File.Exists(socketPath)) return false;
        try
        {
            // Kept for the first request: one connect instead of two on the CLI's start path.
            IDisposable connection = blocking ? ConnectBlocking(ct) : await ConnectAsync(ct).ConfigureAwait(false);
            Interlocked.Exchange(ref _connected, connection)?.Dispose();
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode != SocketError.AccessDenied) { return false; }
    }

    public async Task<PingResponse?> TryPingAsync(CancellationToken ct = default)
    {
        if (!File.Exists(socketPath)) return null;
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(TimeSpan.FromSeconds(2));
            return await CallAsync(DaemonRoutes.Ping, Empty.Value, [], cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is VoltException or SocketException or OperationCanceledException or IOException or JsonException) { return null; }
    }

    /// <summary>Creates and starts a container in one call (<c>volt run -d</c>).</summary>
    public Task CreateAndStartAsync(CreateRequest request, CancellationToken ct = default) =>
        CallAsync(DaemonRoutes.CreateContainer, request, [], ct);

    public Task StartAsync(string name, CancellationToken ct = default) => CallAsync(DaemonRoutes.StartContainer, Empty.Value, [name], ct);

    public Task StopAsync(string name, TimeSpan timeout, CancellationToken ct = default) =>
        CallAsync(DaemonRoutes.StopContainer, Empty.Value, [name, Seconds(timeout)], ct);

    /// <summary>Every workload voltd knows, of every kind it runs (kind order, then name).</summary>
    public async Task<IReadOnlyList<WorkloadSummary>> ListWorkloadsAsync(CancellationToken ct = default) =>
        (await CallAsync(DaemonRoutes.ListWorkloads, Empty.Value, [], ct).ConfigureAwait(false)).Workloads;

    /// <summary>The workloads of one kind (<see cref="WorkloadKinds"/>).</summary>
    public async Task<IReadOnlyList<WorkloadSummary>> ListWorkloadsAsync(string kind, CancellationToken ct = default) =>
        (await CallAsync(DaemonRoutes.ListWorkloadsOfKind, Empty.Value, [kind], ct).ConfigureAwait(false)).Workloads;

    public Task StartWorkloadAsync(string kind, string name, CancellationToken ct = default) =>
        CallAsync(DaemonRoutes.StartWorkload, Empty.Value, [kind, name], ct);

    /// <summary>Stops a workload; <paramref name="timeout"/> null lets voltd use its default.</summary>
    public Task StopWorkloadAsync(string kind, string name, TimeSpan? timeout = null, CancellationToken ct = default) =>
        CallAsync(DaemonRoutes.StopWorkload, Empty.Value, [kind, name, timeout is { } t ? Seconds(t) : null], ct);

    public Task RestartWorkloadAsync(string kind, string name, TimeSpan? timeout = null, CancellationToken ct = default) =>
        CallAsync(DaemonRoutes.RestartWorkload, Empty.Value, [kind, name, timeout is { } t ? Seconds(t) : null], ct);

    /// <summary>Tells voltd to re-read a task's units and state (after create, enable, disable).</summary>
    public Task ReloadTaskAsync(string name, CancellationToken ct = default) => CallAsync(DaemonRoutes.ReloadTask, Empty.Value, [name], ct);

    /// <summary>Runs a task now; returns its record once it ended.</summary>
    public Task<Workloads.Tasks.TaskRun> RunTaskAsync(string name, CancellationToken ct = default) => CallAsync(DaemonRoutes.RunTask, Empty.Value, [name], ct);

    /// <summary>Ends a task's timer and stops its run in progress (before delete).</summary>
    public Task RemoveTaskAsync(string name, CancellationToken ct = default) => CallAsync(DaemonRoutes.RemoveTask, Empty.Value, [name], ct);

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Calls one declared route: <paramref name="args"/> fill its template's parameters in order (null leaves an
    /// optional query parameter out). A failure answer is rethrown as the <see cref="VoltException"/> voltd raised
    /// (same exit code and message); a dead socket is <see cref="ExitCode.Daemon"/>.
    /// </summary>
    public async Task<TResponse> CallAsync<TRequest, TResponse>(DaemonRoute<TRequest, TResponse> route, TRequest request, string?[] args,
        CancellationToken ct = default)
    {
        var target = route.Template.Format(args);
        var body = route.Request is null ? null : JsonSerializer.SerializeToUtf8Bytes(request, route.Request);
        int status;
        byte[] answer;
        try { (status, answer) = await SendAsync(route.Method, target, body, ct).ConfigureAwait(false); }
        catch (Exception e) when (e is SocketException or IOException)
        {
            throw new VoltException(ExitCode.Daemon, $"voltd at {socketPath} is not answering: {e.Message}", e);
        }
        if (route.AuditFor(new RouteArgs(route.Template, args)) is not null) Core.Audit.AuditHandOff.MarkRecordedByDaemon();
        if (status is < 200 or >= 300) throw HttpErrors.ToException(status, answer, $"voltd answered {status} to {route.Method} {target}");
        if (route.Response is null) return (TResponse)(object)Empty.Value;
        try
        {
            return JsonSerializer.Deserialize(answer, route.Response)
                ?? throw new VoltException(ExitCode.Daemon, $"voltd sent an empty answer to {route.Method} {target}");
        }
        catch (JsonException e)
        {
            throw new VoltException(ExitCode.Daemon, $"voltd sent an unreadable answer to {route.Method} {target}: {e.Message}", e);
        }
    }

    private async Task<Socket> ConnectAsync(CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
            return socket;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
        {
            socket.Dispose();
            throw PermissionDenied(e);
        }
        catch { socket.Dispose(); throw; }
    }

    private LocalSocket ConnectBlocking(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        try { return LocalSocket.Connect(socketPath); } // a local socket: accepted or refused at once
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied) { throw PermissionDenied(e); }
    }

    // The socket is root:volt 0660 (docs/security.md): the kernel refused before voltd could say which rule.
    private VoltException PermissionDenied(SocketException e) => new(ExitCode.Permission,
        $"permission denied on voltd's socket {socketPath}: it admits root and group {Core.Security.AccessRules.VoltGroup} (see docs/security.md)", e);

    /// <summary>One request, the whole response (read to EOF): status code and de-chunked body.</summary>
    private async Task<(int Status, byte[] Body)> SendAsync(string method, string path, byte[]? body, CancellationToken ct)
    {
        var head = Encoding.ASCII.GetBytes(
            $"{method} {path} HTTP/1.1\r\nHost: voltd\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {body?.Length ?? 0}\r\n\r\n");
        if (blocking)
        {
            using var local = Interlocked.Exchange(ref _connected, null) as LocalSocket ?? ConnectBlocking(ct);
            return Exchange(local, head, body, ct);
        }
        using var socket = Interlocked.Exchange(ref _connected, null) as Socket ?? await ConnectAsync(ct).ConfigureAwait(false);
        await socket.SendAsync(head, SocketFlags.None, ct).ConfigureAwait(false);
        if (body is { Length: > 0 }) await socket.SendAsync(body, SocketFlags.None, ct).ConfigureAwait(false);
        using var response = new MemoryStream();
        var buffer = new byte[8192];
        var expected = -1L;
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false)) > 0)
        {
            response.Write(buffer, 0, n);
            if (HttpResponseParser.Complete(response, ref expected)) break;
        }
        return HttpResponseParser.Parse(response.GetBuffer().AsSpan(0, (int)response.Length));
    }

    /// <summary>The blocking exchange: request out, response read to EOF, on the caller's thread.</summary>
    private static (int Status, byte[] Body) Exchange(LocalSocket socket, byte[] head, byte[]? body, CancellationToken ct)
    {
        // Disposed before the socket (declared after it): a shutdown running now is waited for, so it never meets a
        // descriptor number that was closed and reused.
        using var abort = ct.Register(static s => ((LocalSocket)s!).Shutdown(), socket);
        using var response = new MemoryStream();
        try
        {
            socket.SendAll(head);
            if (body is { Length: > 0 }) socket.SendAll(body);
            var buffer = new byte[8192];
            var expected = -1L;
            int n;
            while ((n = socket.Receive(buffer)) > 0)
            {
                response.Write(buffer, 0, n);
                if (HttpResponseParser.Complete(response, ref expected)) break;
            }
        }
        catch (SocketException e) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException("the call to voltd was cancelled", e, ct); // our shutdown, whichever call it met
        }
        ct.ThrowIfCancellationRequested(); // the shutdown ended the receive: the answer is not whole
        return HttpResponseParser.Parse(response.GetBuffer().AsSpan(0, (int)response.Length));
    }

    public void Dispose() => Interlocked.Exchange(ref _connected, null)?.Dispose();
}

/// <summary>Parses a complete HTTP/1.1 response: status line, headers, body (Content-Length, chunked, or to EOF).</summary>
public static class HttpResponseParser
{
    /// <summary>
    /// Whether <paramref name="received"/> holds the whole answer by its framing: a Content-Length's body in, or a
    /// status without a body (1xx, 204, 304). Chunked and unframed answers end at EOF (false until then). voltd closes
    /// the connection only after what follows its answer (the audit line's sync): the caller need not wait for that.
    /// <paramref name="expected"/> keeps the total length once the header is in (-1 before; 0: read to EOF).
    /// </summary>
    public static bool Complete(MemoryStream received, ref long expected)
    {
        if (expected < 0)
        {
            var raw = received.GetBuffer().AsSpan(0, (int)received.Length);
            var end = raw.IndexOf("\r\n\r\n"u8);
            if (end < 0) return false;
            expected = Framed(raw[..end]) is { } body ? end + 4 + body : 0;
        }
        return expected > 0 && received.Length >= expected;
    }

    /// <summary>The body's length the header announces (0 for a status without one); null when it ends at EOF.</summary>
    private static long? Framed(ReadOnlySpan<byte> header)
    {
        var (code, _, te, cl) = Header(header);
        if (code is null || te is not null) return null;
        if (code is >= 100 and < 200 or 204 or 304) return 0;
        return cl is not null && long.TryParse(cl, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    /// <summary>
    /// The status code (null when the status line is malformed) and the two headers that frame the body. Plain loops
    /// over the header text: LINQ over the lines resolved its generic virtual calls through the runtime's type loader
    /// on every CLI start.
    /// </summary>
    private static (int? Code, string StatusLine, string? TransferEncoding, string? ContentLength) Header(ReadOnlySpan<byte> header)
    {
        var head = Encoding.ASCII.GetString(header);
        var eol = head.IndexOf("\r\n", StringComparison.Ordinal);
        var statusLine = eol < 0 ? head : head[..eol];
        var parts = statusLine.Split(' ', 3);
        int? code = parts.Length >= 2 && parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : null;
        string? te = null, cl = null;
        for (var at = eol < 0 ? head.Length : eol + 2; at < head.Length;)
        {
            var next = head.IndexOf("\r\n", at, StringComparison.Ordinal);
            var line = head.AsSpan(at, (next < 0 ? head.Length : next) - at);
            at = next < 0 ? head.Length : next + 2;
            var colon = line.IndexOf(':');
            if (colon < 0) continue;
            var name = line[..colon].Trim();
            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) te = line[(colon + 1)..].Trim().ToString();
            else if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) cl = line[(colon + 1)..].Trim().ToString();
        }
        return (code, statusLine, te, cl);
    }

    public static (int Status, byte[] Body) Parse(ReadOnlySpan<byte> raw)
    {
        var end = raw.IndexOf("\r\n\r\n"u8);
        if (end < 0) throw new IOException("voltd closed the connection before a complete response header");
        var (status, statusLine, te, cl) = Header(raw[..end]);
        if (status is not { } code) throw new IOException($"voltd sent a malformed status line: {statusLine}");
        var rest = raw[(end + 4)..];
        if (te is not null && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            return (code, Dechunk(rest));
        if (cl is not null && int.TryParse(cl, NumberStyles.None, CultureInfo.InvariantCulture, out var len))
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
