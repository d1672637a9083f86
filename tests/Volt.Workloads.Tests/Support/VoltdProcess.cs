using Volt.Core.Processes;
using Volt.Daemon;
using Volt.Testing;

namespace Volt.Workloads.Tests.Support;

/// <summary>
/// A real <c>volt daemon</c> process (the binary under test) on <paramref name="root"/>, its stdout and stderr appended
/// to <see cref="Log"/> by a shell redirect, as <c>DaemonLauncher</c> starts it. Disposing sends SIGTERM and waits.
/// </summary>
public sealed class VoltdProcess(string binary, string root, string log) : IAsyncDisposable
{
    private RunningProcess? _p;

    public string Log => log;
    public string Socket => Path.Combine(root, "var", "run", "volt", "volt.sock");
    public int Pid => _p?.Pid ?? 0;
    public bool HasExited => _p?.HasExited ?? true;

    public async Task StartAsync()
    {
        _p = ProcessLauncher.Start(new ProcessSpec("/bin/sh", ["-c", "exec \"$0\" daemon >>\"$1\" 2>&1", binary, log])
        {
            Environment = new Dictionary<string, string?> { ["VOLT_ROOT"] = root, ["VOLT_COLOR"] = "never" },
            Stdin = ProcessInput.Closed,
        });
        using var client = new DaemonClient(Socket);
        var until = DateTime.UtcNow.AddSeconds(30);
        while (await client.TryPingAsync() is null)
        {
            if (_p.HasExited || DateTime.UtcNow > until)
                throw new InvalidOperationException("voltd did not come up: " + (File.Exists(log) ? File.ReadAllText(log) : "(no log)"));
            await Task.Delay(20);
        }
    }

    public bool Signal(int signal) => _p?.Signal(signal) ?? false;

    /// <summary>Waits until <paramref name="path"/> holds <paramref name="text"/> (the server wrote it), or fails after 30 s.</summary>
    public static async Task<string> WaitForTextAsync(string path, string text)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var content = File.Exists(path) ? await File.ReadAllTextAsync(path) : "";
            if (content.Contains(text, StringComparison.Ordinal)) return content;
            if (DateTime.UtcNow > until) throw new TimeoutException($"\"{text}\" never appeared in {path}:\n{content}");
            await Task.Delay(25);
        }
    }

    /// <summary>The exit code once voltd has exited by itself within <paramref name="within"/> (null: still running).</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan within) =>
        _p is { } p && await Task.Run(() => p.WaitForExit(within)) ? p.ExitCode : null;

    public async Task<int?> StopAsync()
    {
        if (_p is not { HasExited: false } p) return _p?.ExitCode;
        p.Signal(15);
        if (!await Task.Run(() => p.WaitForExit(TimeSpan.FromSeconds(30)))) { p.KillTree(); return null; }
        return p.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _p?.Dispose();
    }
}
