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
    private readonly string _path;
    private int _reopen;

    public RequestLog(string path, TextWriter? echo)
    {
        _path = path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _writer = Task.Run(() => DrainAsync(Open(path), echo));
    }

    /// <summary>After logrotate moved the file: the writer opens the path again before its next line (SIGUSR2).</summary>
    public void Reopen()
    {
        Volatile.Write(ref _reopen, 1);
        _lines.Writer.TryWrite(""); // wakes the writer; empty lines are not written
    }

    private static StreamWriter Open(string path) =>
        new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false));

    public void Write(DateTimeOffset time, string? client, string method, string path, int status, long bytesIn, long bytesOut, TimeSpan elapsed) =>
        _lines.Writer.TryWrite($"{time:yyyy-MM-ddTHH:mm:ss.fffZ} {client ?? "-"} {method} {path} {status} in={bytesIn} out={bytesOut} {elapsed.TotalMilliseconds:0.0}ms");

    private async Task DrainAsync(StreamWriter file, TextWriter? echo)
    {
        try
        {
            while (await _lines.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                if (Interlocked.Exchange(ref _reopen, 0) == 1)
                {
                    await file.DisposeAsync().ConfigureAwait(false);
                    file = Open(_path);
                }
                while (_lines.Reader.TryRead(out var line))
                {
                    if (line.Length == 0) continue;
                    await file.WriteLineAsync(line).ConfigureAwait(false);
                    if (echo is not null) { lock (echo) echo.WriteLine(line); }
                }
                await file.FlushAsync().ConfigureAwait(false);
            }
        }
        finally { await file.DisposeAsync().ConfigureAwait(false); }
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }
}
