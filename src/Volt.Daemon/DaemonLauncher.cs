using Volt.Core.Errors;
using Volt.Core.Paths;
using Volt.Core.Processes;

namespace Volt.Daemon;

/// <summary>
/// Starts voltd on demand for CLI commands that change state: a daemonized <c>volt daemon</c> (own session, stdio on
/// <c>daemon.log</c>), then waits for its socket to answer.
/// </summary>
public static class DaemonLauncher
{
    /// <param name="blocking">The client's calls block the caller's thread (<see cref="DaemonClient"/>): for commands
    /// that make one call at a time.</param>
    public static async Task<DaemonClient> ConnectAsync(VoltPaths paths, string socketPath, string? configFile, CancellationToken ct, bool blocking = false)
    {
        var client = new DaemonClient(socketPath, blocking);
        // A connect is proof enough that voltd is there (a stale socket file refuses); requests report their own errors.
        try
        {
            if (await client.IsListeningAsync(ct).ConfigureAwait(false)) return client;
            // A voltd started by a user would run with that user's rights over root's state: only root starts it.
            if (!Core.IO.Posix.IsRoot)
                throw new VoltException(ExitCode.Daemon, $"voltd is not running on {socketPath}, and only root can start it (sudo volt daemon, or systemctl start volt)");
            Spawn(paths, socketPath, configFile);
            var until = DateTime.UtcNow.AddSeconds(10);
            while (DateTime.UtcNow < until)
            {
                await Task.Delay(20, ct).ConfigureAwait(false);
                if (await client.TryPingAsync(ct).ConfigureAwait(false) is not null) return client;
            }
            throw new VoltException(ExitCode.Daemon, $"voltd did not come up on {socketPath} within 10s (see {paths.DaemonLog})");
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>The volt executable: this process when it is volt, else <c>VOLT_BINARY</c> (in-process test hosts).</summary>
    public static string Binary() =>
        Environment.GetEnvironmentVariable("VOLT_BINARY") is { Length: > 0 } b ? b
        : Environment.ProcessPath is { } p && Path.GetFileName(p) == "volt" ? p
        : throw new VoltException(ExitCode.Daemon, "cannot start voltd: this process is not the volt binary (set VOLT_BINARY)");

    private static void Spawn(VoltPaths paths, string socketPath, string? configFile)
    {
        Directory.CreateDirectory(paths.Log);
        var env = new Dictionary<string, string?> { ["VOLT_ROOT"] = paths.Root, ["VOLT_HOST"] = "unix://" + socketPath };
        if (configFile is not null) env["VOLT_CONFIG"] = configFile;
        // Disposed at once: voltd runs on in its own session; the shell puts its stdio on daemon.log (closed pipes
        // keep ours, and a terminal, from being handed over).
        using var _ = ProcessLauncher.Start(new ProcessSpec("setsid", ["/bin/sh", "-c", "exec \"$0\" daemon </dev/null >>\"$1\" 2>&1", Binary(), paths.DaemonLog])
        {
            Environment = env, Stdin = ProcessInput.Closed, Stdout = ProcessOutput.Closed, Stderr = ProcessOutput.Closed,
        });
    }
}
