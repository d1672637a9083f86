using System.Globalization;
using System.Text;
using Volt.Core.Processes;

namespace Volt.Hosting.Signals;

/// <summary>
/// SIGUSR1's dump: every thread of this process (name, state and kernel wait channel from <c>/proc/self/task</c>),
/// their stacks from <c>eu-stack</c> (elfutils; the Native AOT binary's frames are its managed methods, named from
/// <c>volt.dbg</c> beside it), the stack of the thread taking the dump, and the server's own state summary. The
/// process keeps running: eu-stack stops it for the few milliseconds it takes to walk the stacks.
/// </summary>
public static class ThreadDump
{
    public static async Task<string> CaptureAsync(string server, string state, IProcessRunner processes, CancellationToken ct = default)
    {
        var pid = Environment.ProcessId;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"=== {server} state dump (SIGUSR1), pid {pid}, {DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} ===\n");
        text.Append("--- state ---\n").Append(state.TrimEnd()).Append('\n');
        var tasks = Threads();
        text.Append(CultureInfo.InvariantCulture, $"--- threads ({tasks.Count}) ---\n");
        foreach (var t in tasks) text.Append(CultureInfo.InvariantCulture, $"{t.Tid,8} {t.Name,-16} {t.State} {t.Wait}\n");
        text.Append("--- stacks ---\n");
        try
        {
            var r = await processes.RunAsync("eu-stack", ["-p", pid.ToString(CultureInfo.InvariantCulture)],
                new ProcessOptions { Timeout = TimeSpan.FromSeconds(10) }, ct).ConfigureAwait(false);
            text.Append(r.StdOut.TrimEnd()).Append('\n');
            if (!r.Success && r.StdErr.Length > 0) text.Append("eu-stack: ").Append(r.StdErr.Trim()).Append('\n');
        }
        catch (Exception e) when (e is Core.Errors.VoltException or IOException or System.ComponentModel.Win32Exception)
        {
            text.Append("(no native stacks: eu-stack, from Debian's elfutils, is not available: ").Append(e.Message).Append(")\n");
        }
        text.Append("--- this thread (managed) ---\n").Append(Environment.StackTrace.TrimEnd()).Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"=== end of {server} state dump ===");
        return text.ToString();
    }

    private sealed record ThreadInfo(int Tid, string Name, string State, string Wait);

    private static List<ThreadInfo> Threads()
    {
        var all = new List<ThreadInfo>();
        foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var tid)) continue;
            all.Add(new ThreadInfo(tid, Read(dir, "comm"), StateOf(Read(dir, "stat")), Read(dir, "wchan") is { Length: > 0 } w and not "0" ? w : "-"));
        }
        return [.. all.OrderBy(t => t.Tid)];
    }

    private static string StateOf(string stat)
    {
        var close = stat.LastIndexOf(')');
        return close > 0 && close + 2 < stat.Length ? stat[(close + 2)..(close + 3)] : "?";
    }

    private static string Read(string dir, string file)
    {
        try { return File.ReadAllText(Path.Combine(dir, file)).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }
}
