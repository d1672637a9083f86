using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Volt.Ingress.Proxy;

/// <summary>One request's line in the access log.</summary>
internal readonly record struct AccessEntry(DateTimeOffset Time, string Remote, string Method, string Host, string Path, string Protocol,
    int Status, long Bytes, double DurationMs, string? Route, string? Backend, string? Error);

/// <summary>
/// The access log: one JSON object per line per request (<c>time, remote, method, host, path, protocol, status,
/// bytes, duration_ms, route, backend, error</c>), written by one background writer so a slow log never holds a
/// request; when the writer falls behind by <see cref="Capacity"/> lines, lines are dropped and counted.
/// </summary>
internal sealed class AccessLog : IAsyncDisposable
{
    public const int Capacity = 65536;
    private readonly Channel<AccessEntry> _lines = Channel.CreateBounded<AccessEntry>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Stream? _out;
    private readonly Task _writer;
    private long _dropped;

    public AccessLog(Stream? output)
    {
        _out = output;
        _writer = output is null ? Task.CompletedTask : Task.Run(WriteAsync);
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Lines go somewhere (not <c>--access-log off</c>): only then is a request's entry worth building.</summary>
    public bool Enabled => _out is not null;

    public void Add(in AccessEntry e)
    {
        if (_out is null) return;
        if (!_lines.Writer.TryWrite(e)) Interlocked.Increment(ref _dropped);
    }

    private async Task WriteAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using var json = new Utf8JsonWriter(buffer);
        while (await _lines.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_lines.Reader.TryRead(out var e))
            {
                Write(json, e);
                json.Flush();
                json.Reset(buffer);
                buffer.Write("\n"u8);
                if (buffer.WrittenCount > 48 * 1024) break;
            }
            try
            {
                await _out!.WriteAsync(buffer.WrittenMemory).ConfigureAwait(false);
                await _out.FlushAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException) { }
            buffer.ResetWrittenCount();
            json.Reset(buffer);
        }
    }

    internal static void Write(Utf8JsonWriter w, in AccessEntry e)
    {
        w.WriteStartObject();
        w.WriteString("time", e.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("remote", e.Remote);
        w.WriteString("method", e.Method);
        w.WriteString("host", e.Host);
        w.WriteString("path", e.Path);
        w.WriteString("protocol", e.Protocol);
        w.WriteNumber("status", e.Status);
        w.WriteNumber("bytes", e.Bytes);
        w.WriteNumber("duration_ms", Math.Round(e.DurationMs, 3));
        if (e.Route is null) w.WriteNull("route"); else w.WriteString("route", e.Route);
        if (e.Backend is null) w.WriteNull("backend"); else w.WriteString("backend", e.Backend);
        if (e.Error is not null) w.WriteString("error", e.Error);
        w.WriteEndObject();
    }

    public static string Line(in AccessEntry e)
    {
        var b = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(b)) Write(w, e);
        return Encoding.UTF8.GetString(b.WrittenSpan);
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }
}
