using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Volt.Ingress.Tls;

/// <summary>
/// The HTTPS port's first connection middleware: reads the ClientHello without consuming it (bounded in size and
/// time), then either forwards the raw TCP stream to a passthrough route's backend, or hands the connection,
/// ClientHello untouched, to Kestrel's TLS layer with what it read (SNI, ALPN) in the connection's items.
/// </summary>
internal sealed class TlsFrontDoor(Func<string?, IReadOnlyList<string>?> passthrough, TimeSpan helloTimeout, Action<string, string?, string> log)
{
    public const string HelloItem = "volt.clienthello";
    private int _next;

    public async Task OnConnectionAsync(ConnectionContext ctx, ConnectionDelegate next)
    {
        ClientHelloInfo? hello;
        var input = ctx.Transport.Input;
        using (var timeout = new CancellationTokenSource(helloTimeout))
        {
            try
            {
                while (true)
                {
                    var read = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
                    var status = ClientHello.TryParse(read.Buffer, out hello);
                    if (status == ClientHello.Status.Ok) { input.AdvanceTo(read.Buffer.Start); break; }
                    if (status == ClientHello.Status.Invalid || read.IsCompleted)
                    {
                        input.AdvanceTo(read.Buffer.End);
                        if (read.Buffer.Length > 0) log("tls", null, $"closed {ctx.RemoteEndPoint}: not a well-formed TLS ClientHello");
                        return;
                    }
                    input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                }
            }
            catch (OperationCanceledException)
            {
                log("tls", null, $"closed {ctx.RemoteEndPoint}: no complete ClientHello within {helloTimeout.TotalSeconds:0} s");
                return;
            }
        }
        var backends = passthrough(hello!.ServerName);
        if (backends is null)
        {
            ctx.Items[HelloItem] = hello;
            await next(ctx).ConfigureAwait(false);
            return;
        }
        await ForwardAsync(ctx, hello.ServerName!, backends).ConfigureAwait(false);
    }

    private async Task ForwardAsync(ConnectionContext ctx, string name, IReadOnlyList<string> backends)
    {
        Socket? socket = null;
        string? used = null;
        for (int i = 0; i < backends.Count && socket is null; i++)
        {
            var ep = backends[(int)((uint)Interlocked.Increment(ref _next) % (uint)backends.Count)];
            var colon = ep.LastIndexOf(':');
            var s = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var connectTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await s.ConnectAsync(ep[..colon].Trim('[', ']'), int.Parse(ep[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), connectTimeout.Token).ConfigureAwait(false);
                socket = s; used = ep;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                s.Dispose();
                log("passthrough", name, $"backend {ep} refused the connection ({e.Message}); trying the next");
            }
        }
        if (socket is null) { log("passthrough", name, "no backend accepted the connection: closed"); return; }
        using (socket)
        {
            var stream = new NetworkStream(socket, ownsSocket: false);
            await using (stream.ConfigureAwait(false))
            {
                var up = Pump(ctx.Transport.Input, stream, socket);
                var down = Down(stream, ctx.Transport.Output);
                await Task.WhenAny(up, down).ConfigureAwait(false);
                try { socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { }
                ctx.Abort();
                try { await Task.WhenAll(up, down).ConfigureAwait(false); } catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ConnectionAbortedException or InvalidOperationException) { }
            }
        }
        log("passthrough", name, $"connection {ctx.RemoteEndPoint} → {used} closed");
    }

    private static async Task Pump(PipeReader from, NetworkStream to, Socket socket)
    {
        try
        {
            while (true)
            {
                var r = await from.ReadAsync().ConfigureAwait(false);
                foreach (var seg in r.Buffer) await to.WriteAsync(seg).ConfigureAwait(false);
                from.AdvanceTo(r.Buffer.End);
                if (r.IsCompleted || r.IsCanceled) break;
            }
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or ConnectionAbortedException or ObjectDisposedException or InvalidOperationException) { }
    }

    private static async Task Down(NetworkStream from, PipeWriter to)
    {
        try
        {
            var buffer = ArrayPool<byte>.Shared.Rent(16384);
            try
            {
                int n;
                while ((n = await from.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                {
                    var flush = await to.WriteAsync(buffer.AsMemory(0, n)).ConfigureAwait(false);
                    if (flush.IsCompleted) break;
                }
            }
            finally { ArrayPool<byte>.Shared.Return(buffer); }
        }
        catch (Exception e) when (e is IOException or SocketException or ConnectionAbortedException or ObjectDisposedException or InvalidOperationException) { }
    }
}
