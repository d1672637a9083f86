using System.Text;

namespace Volt.Workloads.Logs;

/// <summary>
/// Reads a workload log file for <c>volt logs</c>: window (<c>--since/--until</c>), <c>--tail</c>, stamps shown or
/// not, and <c>--follow</c>: new complete lines as they are appended, until the workload stops (then what is left) or
/// the token is cancelled.
/// </summary>
public sealed class LogFileReader(TimeProvider time)
{
    /// <summary>How often a followed file is looked at.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <param name="running">Whether the workload still runs (asked between looks when following).</param>
    /// <param name="write">Receives output text (whole lines with their newline).</param>
    public async Task ReadAsync(string file, LogQuery q, Func<bool> running, Func<string, Task> write, CancellationToken ct)
    {
        long offset = 0;
        DateTimeOffset? last = null;
        var pending = new StringBuilder();

        // The existing content: filtered, then the last N.
        var (text, end) = ReadFrom(file, 0);
        offset = end;
        var lines = new List<string>();
        foreach (var raw in SplitComplete(text, pending, final: !q.Follow))
        {
            var l = LogLine.Parse(raw);
            last = l.Time ?? last;
            if (q.Includes(last)) lines.Add(Render(l, last, q));
        }
        var skip = q.Tail is { } n ? Math.Max(0, lines.Count - n) : 0;
        if (lines.Count > skip) await write(string.Concat(lines.Skip(skip))).ConfigureAwait(false);
        if (!q.Follow) return;

        var quietLooks = 0;
        var stopped = false;
        while (!ct.IsCancellationRequested)
        {
            if (q.Until is { } u && time.GetUtcNow() > u) return;
            if (!stopped && !running()) { stopped = true; quietLooks = 0; }
            try { await Task.Delay(PollInterval, time, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            (text, end) = ReadFrom(file, offset);
            if (end < offset) { offset = 0; pending.Clear(); continue; } // truncated or replaced: from the top
            offset = end;
            // After the workload stopped its stamper may still be writing its last lines: two quiet looks end it.
            quietLooks = text.Length == 0 ? quietLooks + 1 : 0;
            var final = stopped && quietLooks >= 2;
            var sb = new StringBuilder();
            foreach (var raw in SplitComplete(text, pending, final))
            {
                var l = LogLine.Parse(raw);
                last = l.Time ?? last;
                if (q.Includes(last)) sb.Append(Render(l, last, q));
            }
            if (sb.Length > 0) await write(sb.ToString()).ConfigureAwait(false);
            if (final) return;
        }
    }

    private static string Render(LogLine l, DateTimeOffset? time, LogQuery q) =>
        q.Timestamps && time is { } t ? $"{LogLine.Stamp(t)} {l.Text}\n" : l.Text + "\n";

    /// <summary>Complete lines of <paramref name="text"/> after what was pending; the incomplete rest stays pending (unless final).</summary>
    private static IEnumerable<string> SplitComplete(string text, StringBuilder pending, bool final)
    {
        pending.Append(text);
        var all = pending.ToString();
        var lastNl = all.LastIndexOf('\n');
        var complete = lastNl < 0 ? "" : all[..lastNl];
        var rest = lastNl < 0 ? all : all[(lastNl + 1)..];
        pending.Clear();
        var result = lastNl < 0 ? new List<string>() : [.. complete.Split('\n')];
        if (final) { if (rest.Length > 0) result.Add(rest); }
        else pending.Append(rest);
        return result;
    }

    private static (string Text, long End) ReadFrom(string file, long offset)
    {
        try
        {
            using var s = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (s.Length < offset) return ("", s.Length);
            s.Seek(offset, SeekOrigin.Begin);
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            // Cut at the last complete UTF-8 character: the rest is read next time.
            var bytes = ms.GetBuffer().AsSpan(0, (int)ms.Length);
            var cut = Utf8Boundary(bytes);
            return (Encoding.UTF8.GetString(bytes[..cut]), offset + cut);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return ("", offset); }
    }

    private static int Utf8Boundary(ReadOnlySpan<byte> b)
    {
        var i = b.Length;
        for (var back = 1; back <= 3 && i - back >= 0; back++)
        {
            var c = b[i - back];
            if ((c & 0xC0) == 0x80) continue; // continuation byte
            var need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            return need > back ? i - back : i;
        }
        return i;
    }
}
