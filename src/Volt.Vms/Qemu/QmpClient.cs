using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Volt.Core.Errors;

namespace Volt.Vms.Qemu;

/// <summary>
/// A QMP connection (QEMU's JSON control protocol on a unix socket) with a hard deadline on every step: connect, the
/// greeting, <c>qmp_capabilities</c>, each command. Events arriving between replies are kept in <see cref="Events"/>.
/// </summary>
public sealed class QmpClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;
    private readonly TimeSpan _timeout;

    public List<JsonObject> Events { get; } = [];

    private QmpClient(Socket socket, TimeSpan timeout)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, Encoding.UTF8);
        _timeout = timeout;
    }

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    public static async Task<QmpClient> ConnectAsync(string socketPath, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var t = timeout ?? DefaultTimeout;
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(t);
        QmpClient? c = null;
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cts.Token).ConfigureAwait(false);
            c = new QmpClient(socket, t);
            await c.ReadAsync(cts.Token).ConfigureAwait(false); // {"QMP": {...}} greeting
            await c.ExecuteAsync("qmp_capabilities", null, ct).ConfigureAwait(false);
            return c;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            if (c is not null) await c.DisposeAsync().ConfigureAwait(false); else socket.Dispose();
            throw new VoltException(e is OperationCanceledException ? ExitCode.Timeout : ExitCode.General,
                $"QMP at {socketPath} did not answer{(e is OperationCanceledException ? $" within {t.TotalSeconds:0.#}s" : $": {e.Message}")}", e);
        }
    }

    /// <summary>Runs one command; its <c>return</c> value, or exit 1 with QMP's error description.</summary>
    public async Task<JsonNode?> ExecuteAsync(string command, JsonObject? arguments = null, CancellationToken ct = default)
    {
        var msg = new JsonObject { ["execute"] = command };
        if (arguments is not null) msg["arguments"] = arguments;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_timeout);
        try
        {
            var bytes = Encoding.UTF8.GetBytes(msg.ToJsonString() + "\n");
            await _stream.WriteAsync(bytes, cts.Token).ConfigureAwait(false);
            while (true)
            {
                var reply = await ReadAsync(cts.Token).ConfigureAwait(false);
                if (reply.ContainsKey("event")) { Events.Add(reply); continue; }
                if (reply["error"] is JsonObject err)
                    throw new VoltException(ExitCode.General, $"QMP {command}: {err["desc"]?.GetValue<string>() ?? err.ToJsonString()}");
                return reply["return"];
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new VoltException(ExitCode.Timeout, $"QMP {command} got no answer within {_timeout.TotalSeconds:0.#}s");
        }
    }

    /// <summary><c>query-status</c>'s <c>status</c>: running, paused, internal-error, guest-panicked, shutdown…</summary>
    public async Task<string> StatusAsync(CancellationToken ct = default) =>
        (await ExecuteAsync("query-status", null, ct).ConfigureAwait(false))?["status"]?.GetValue<string>() ?? "unknown";

    private async Task<JsonObject> ReadAsync(CancellationToken ct)
    {
        var line = await _reader.ReadLineAsync(ct).ConfigureAwait(false)
            ?? throw new IOException("QMP connection closed");
        return JsonNode.Parse(line) as JsonObject ?? throw new IOException($"QMP sent a non-object: {line}");
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _stream.Dispose();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
