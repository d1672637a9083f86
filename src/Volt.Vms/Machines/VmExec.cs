using System.Net.Sockets;
using System.Text;
using Volt.Core.Errors;
using Volt.Vms.Kernels;

namespace Volt.Vms.Machines;

/// <summary>The result of <c>volt vm exec</c>: the guest command's output (stdout and stderr together) and exit code.</summary>
public sealed record VmExecResult(string Output, int ExitCode);

/// <summary>
/// <c>volt vm exec</c> over Volt's serial marker protocol (docs/vms.md): the agent Volt's initramfs starts on the
/// guest's second serial port reads <c>ID COMMAND</c> lines and answers with the output, then <c>VOLT-EXIT ID CODE</c>.
/// A <c>ping</c> (answered <c>VOLT-EXIT ping 0</c>) first waits out a guest that is still booting. One exec at a time
/// per VM (a lock file); every wait has a deadline.
/// </summary>
public sealed class VmExec(VmStore store)
{
    public async Task<VmExecResult> RunAsync(string name, string command, TimeSpan timeout, CancellationToken ct = default)
    {
        if (command.Contains('\n') || command.Contains('\r')) throw VoltException.Usage("the command must be one line (use sh -c '…; …')");
        if (string.IsNullOrWhiteSpace(command)) throw VoltException.Usage("no command given: volt vm exec NAME -- COMMAND [ARGS...]");
        using var _ = FileLockFor(name);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(store.AgentSocket(name)), cts.Token).ConfigureAwait(false);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var reader = new LineChannel(stream, cts.Token);
            await PingAsync(stream, reader, cts.Token).ConfigureAwait(false);
            var id = Guid.NewGuid().ToString("N")[..12];
            await stream.WriteAsync(Encoding.UTF8.GetBytes($"{id} {command}\n"), cts.Token).ConfigureAwait(false);
            var output = new StringBuilder();
            var marker = $"{InitScripts.ExitMarker} {id} ";
            while (true)
            {
                var line = await reader.ReadLineAsync(cts.Token).ConfigureAwait(false) ?? throw new IOException("the guest agent closed the connection");
                if (line.StartsWith(marker, StringComparison.Ordinal))
                {
                    var text = output.ToString();
                    if (text.EndsWith('\n')) text = text[..^1]; // the agent's own newline before the marker
                    return new VmExecResult(text, int.TryParse(line[marker.Length..].Trim(), out var code) ? code : 1);
                }
                if (line.Trim() == PingAnswer) continue; // a ping sent again while the guest was still booting
                output.Append(line).Append('\n');
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new VoltException(ExitCode.Timeout, $"VM \"{name}\": the guest agent did not answer within {timeout.TotalSeconds:0.#}s (is the VM booted from a Volt kernel profile?)");
        }
        catch (SocketException e)
        {
            throw new VoltException(ExitCode.Conflict, $"VM \"{name}\" is not running (agent socket: {e.Message})", e);
        }
    }

    /// <summary>Lines read by one background loop, so a wait that times out leaves the reader usable.</summary>
    private sealed class LineChannel
    {
        private readonly System.Threading.Channels.Channel<string?> _lines = System.Threading.Channels.Channel.CreateUnbounded<string?>();

        public LineChannel(Stream stream, CancellationToken ct) => _ = PumpAsync(stream, ct);

        private async Task PumpAsync(Stream stream, CancellationToken ct)
        {
            try
            {
                using var r = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
                while (await r.ReadLineAsync(ct).ConfigureAwait(false) is { } line) _lines.Writer.TryWrite(line.TrimEnd('\r'));
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException) { }
            _lines.Writer.TryWrite(null);
        }

        public async Task<string?> ReadLineAsync(CancellationToken ct) => await _lines.Reader.ReadAsync(ct).ConfigureAwait(false);
    }

    private static readonly string PingAnswer = $"{InitScripts.ExitMarker} ping 0";

    private static async Task PingAsync(NetworkStream stream, LineChannel reader, CancellationToken ct)
    {
        var ping = Encoding.UTF8.GetBytes("ping\n");
        while (true)
        {
            await stream.WriteAsync(ping, ct).ConfigureAwait(false);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(TimeSpan.FromSeconds(1));
            try
            {
                while (true)
                {
                    var line = await reader.ReadLineAsync(wait.Token).ConfigureAwait(false) ?? throw new IOException("the guest agent closed the connection");
                    if (line.Trim() == PingAnswer) return;
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
        }
    }

    private Core.IO.FileLock FileLockFor(string name)
    {
        Directory.CreateDirectory(store.Paths.Locks);
        return Core.IO.FileLock.Exclusive(Path.Combine(store.Paths.Locks, $"vm-exec-{name}.lock"));
    }
}
