using System.Text;
using System.Threading.Channels;

namespace Volt.Registry.Hosting;

/// <summary>
/// The request log: one line per request (time, client, method, path, status, bytes in/out, duration), appended to
/// <c>/var/log/volt/registry.log</c> (and echoed, e.g. to stderr) by one background writer so requests never wait
/// on the disk.
/// </summary>
public sealed class RequestLog : IAsyncDisposable
{
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(65536)
    { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Task _writer;

    public RequestLog(string path, TextWriter? echo)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var file = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false));
        _writer = Task.Run(() => DrainAsync(file, echo));
    }

    public void Write(DateTimeOffset time, string? client, string method, string path, int status, long bytesIn, long bytesOut, TimeSpan elapsed) =>
        _lines.Writer.TryWrite($"{time:yyyy-MM-ddTHH:mm:ss.fffZ} {client ?? "-"} {method} {path} {status} in={bytesIn} out={bytesOut} {elapsed.TotalMilliseconds:0.0}ms");

    private async Task DrainAsync(StreamWriter file, TextWriter? echo)
    {
        await using (file)
        {
            while (await _lines.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_lines.Reader.TryRead(out var line))
                {
                    await file.WriteLineAsync(line).ConfigureAwait(false);
                    if (echo is not null) { lock (echo) echo.WriteLine(line); }
                }
                await file.FlushAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }
}
