using Volt.Core.Errors;
using Volt.Core.Processes;

namespace Volt.Network.Host;

/// <summary>
/// Runs <c>ip</c>, <c>nft</c>, <c>sysctl</c> and <c>nsenter</c> through the one <see cref="IProcessRunner"/>. With a
/// <see cref="Netns"/> every command runs as <c>nsenter --net=/run/netns/&lt;netns&gt; …</c>, so a test (or an operator) can point
/// the whole engine at a namespace it created and never touch the host's interfaces or ruleset.
/// </summary>
public sealed class HostCommands(IProcessRunner runner, string? netns)
{
    private static readonly ProcessOptions Defaults = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string? Netns => netns;

    public Task<ProcessResult> RunAsync(string tool, IEnumerable<string> args, string? stdin = null, CancellationToken ct = default)
    {
        var argv = args.ToList();
        // nsenter, not `ip netns exec`: that also remounts /sys for the namespace (hiding /sys/fs/cgroup) and binds
        // /etc/netns/NAME over /etc, neither of which a tool run here wants, for an extra mount namespace per call.
        if (netns is not null) { argv.InsertRange(0, [$"--net={LinkDriver.NetnsPath(netns)}", tool]); tool = "nsenter"; }
        return runner.RunAsync(tool, argv, stdin is null ? Defaults : Defaults with { StdIn = stdin }, ct);
    }

    /// <summary>Runs and throws <c>ERR_NETWORK</c> naming <paramref name="action"/> with the tool's stderr when it fails.</summary>
    public async Task<ProcessResult> CheckAsync(string action, string tool, IEnumerable<string> args, string? stdin = null, CancellationToken ct = default)
    {
        var r = await RunAsync(tool, args, stdin, ct).ConfigureAwait(false);
        if (!r.Success)
            throw new VoltException(ExitCode.Network, $"Failed {action}: {tool} exited {r.ExitCode}: {FirstLines(r.StdErr.Length > 0 ? r.StdErr : r.StdOut)}");
        return r;
    }

    /// <summary>Sets a sysctl in the managed namespace (<c>/proc/sys/net</c> is per network namespace).</summary>
    public Task SysctlAsync(string key, string value, CancellationToken ct) =>
        CheckAsync($"setting {key}={value}", "sysctl", ["-q", "-w", $"{key}={value}"], null, ct);

    public async Task<string?> ReadSysctlAsync(string key, CancellationToken ct)
    {
        var r = await RunAsync("sysctl", ["-n", key], null, ct).ConfigureAwait(false);
        return r.Success ? r.StdOut.Trim() : null;
    }

    private static string FirstLines(string s)
    {
        var lines = s.Trim().Split('\n');
        return string.Join(" | ", lines.Take(4)).Trim();
    }
}
