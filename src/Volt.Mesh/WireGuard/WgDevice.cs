using Volt.Core.Errors;
using Volt.Core.Processes;

namespace Volt.Mesh.WireGuard;

/// <summary>
/// The mesh's WireGuard interface: detected kernel support (<c>/sys/module/wireguard</c>) or wireguard-go, created
/// and addressed with <c>ip</c>, configured through <see cref="UapiClient"/>. Where the kernel module exists Volt
/// still runs wireguard-go today (configuring the kernel needs generic netlink: docs/mesh.md), and says so.
/// </summary>
/// <param name="logFile">Where wireguard-go's daemon writes its errors (null: nowhere).</param>
/// <param name="log">Told about each retried start (the caller's logger).</param>
public sealed class WgDevice(IProcessRunner processes, string iface, string? logFile = null, Action<string>? log = null)
{
    public string Interface => iface;

    /// <summary>wireguard-go's own log for this interface (its errors at start: why a daemon died).</summary>
    public string? LogFile => logFile;

    public UapiClient Uapi { get; } = new(UapiClient.SocketFor(iface));

    /// <summary>"kernel" when the WireGuard module is loaded here, else "userspace".</summary>
    public static string KernelSupport => Directory.Exists("/sys/module/wireguard") ? "kernel" : "userspace";

    /// <summary>What carries the data path: always wireguard-go for now (see the class remarks).</summary>
    public static string Mode => "userspace";

    /// <summary>Interface names: 1-15 of [a-zA-Z0-9_.-] (IFNAMSIZ), no slash.</summary>
    public static void ValidateName(string name)
    {
        if (name.Length is < 1 or > 15 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || name is "." or "..")
            throw VoltException.Usage($"invalid --interface \"{name}\": 1-15 letters, digits, '-', '_' or '.'");
    }

    public async Task<bool> LinkExistsAsync(CancellationToken ct) =>
        (await processes.RunAsync("ip", ["link", "show", "dev", iface], ct: ct).ConfigureAwait(false)).Success;

    /// <summary>
    /// Starts wireguard-go for the interface (it daemonizes and holds the UAPI socket), then waits for the socket.
    /// A socket of that name without the link in this network namespace belongs to another namespace: exit 4.
    /// <para>
    /// wireguard-go's parent creates the listening socket and exits; its daemonized child serves it, and dies at once
    /// (leaving the socket file) when it cannot set up — most often because it cannot get an inotify instance to watch
    /// its socket (<c>fs.inotify.max_user_instances</c>, 128 by default, is shared by every process of the user: a
    /// loaded host runs out). The child's errors go to <see cref="LogFile"/>; a socket that refuses connections after
    /// the parent returned means the child is gone, so that is seen at once (not after the wait) and reported with
    /// wireguard-go's own error. Running out of a resource is retried (bounded, with back-off), anything else fails.
    /// </para>
    /// </summary>
    private static readonly TimeSpan SocketWait = TimeSpan.FromSeconds(20);

    /// <summary>How many times a start that died of a used-up resource (inotify, file descriptors) is tried.</summary>
    public const int StartAttempts = 5;

    public async Task CreateAsync(CancellationToken ct)
    {
        if (await LinkExistsAsync(ct).ConfigureAwait(false))
            throw VoltException.Exists($"interface {iface} already exists here; pass another --interface or run volt mesh leave");
        if (File.Exists(Uapi.SocketPath) && await ProbeAsync(ct).ConfigureAwait(false) == SocketProbe.Answers)
            throw VoltException.Exists($"WireGuard socket {Uapi.SocketPath} is in use by another network namespace (UAPI sockets are shared): pass another --interface");
        var delay = TimeSpan.FromMilliseconds(500);
        for (var attempt = 1; ; attempt++)
        {
            var failure = await StartOnceAsync(ct).ConfigureAwait(false);
            if (failure is null) return;
            var transient = IsResourceExhaustion(failure);
            if (!transient || attempt >= StartAttempts)
            {
                var hint = transient ? " (this user's inotify instances or file descriptors are used up: see fs.inotify.max_user_instances)" : "";
                throw new VoltException(transient ? ExitCode.Resource : ExitCode.Dependency,
                    $"wireguard-go {iface} did not come up{(attempt > 1 ? $" in {attempt} attempts" : "")}: {failure}{hint}");
            }
            log?.Invoke($"wireguard-go {iface} died at start ({failure}); trying again in {delay.TotalSeconds:0.#} s (attempt {attempt + 1} of {StartAttempts})");
            await Task.Delay(delay, ct).ConfigureAwait(false);
            delay *= 2;
        }
    }

    /// <summary>"too many open files" (EMFILE/ENFILE: inotify instances, descriptors) or "no space left" (inotify watches).</summary>
    public static bool IsResourceExhaustion(string error) =>
        error.Contains("too many open files", StringComparison.OrdinalIgnoreCase) ||
        error.Contains("no space left on device", StringComparison.OrdinalIgnoreCase);

    /// <summary>One start: null once the socket answers, else what went wrong (wireguard-go's own words when it logged them).</summary>
    private async Task<string?> StartOnceAsync(CancellationToken ct)
    {
        var logFile = LogFile ?? "/dev/null";
        if (LogFile is not null) Directory.CreateDirectory(Path.GetDirectoryName(LogFile)!);
        var offset = File.Exists(logFile) && LogFile is not null ? new FileInfo(logFile).Length : 0;
        // The shell only redirects: the daemonized child keeps the log file as its stdout/stderr (LOG_LEVEL=error), not
        // our pipes (with them the run would wait for the daemon to exit).
        var r = await processes.RunAsync("sh", ["-c", "exec wireguard-go \"$1\" >>\"$2\" 2>&1", "sh", iface, logFile], new ProcessOptions
        {
            Environment = new Dictionary<string, string?> { ["WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD"] = "1", ["LOG_LEVEL"] = "error" },
            Timeout = TimeSpan.FromSeconds(10),
        }, ct).ConfigureAwait(false);
        if (!r.Success) return $"exit {r.ExitCode}: {LastError(logFile, offset) ?? (r.StdErr + r.StdOut).Trim()}";
        // Bounded, and generous: on a loaded 2-core host (a CI run beside TCG guests) 5 s was seen to pass first.
        var deadline = DateTime.UtcNow.Add(SocketWait);
        while (true)
        {
            var probe = await ProbeAsync(ct).ConfigureAwait(false);
            if (probe == SocketProbe.Answers) return null;
            // The parent has returned, so only the daemon can hold the listening socket: refused = the daemon is gone.
            if (probe == SocketProbe.Refused)
                return $"its daemon exited: {LastError(logFile, offset) ?? $"{Uapi.SocketPath} refuses connections (nothing logged)"}";
            if (DateTime.UtcNow > deadline)
            {
                await DeleteAsync(CancellationToken.None).ConfigureAwait(false);
                return $"{Uapi.SocketPath} did not answer within {SocketWait.TotalSeconds:0} s ({(File.Exists(Uapi.SocketPath) ? "the socket exists" : "no socket file")})";
            }
            await Task.Delay(20, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The last ERROR line wireguard-go wrote to its log after <paramref name="offset"/>, without its prefix.</summary>
    private static string? LastError(string logFile, long offset)
    {
        if (logFile == "/dev/null" || !File.Exists(logFile)) return null;
        try
        {
            using var f = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            f.Seek(Math.Min(offset, f.Length), SeekOrigin.Begin);
            var text = new StreamReader(f).ReadToEnd();
            var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith("ERROR:", StringComparison.Ordinal));
            if (line is null) return null;
            // "ERROR: (wg0) 2026/12/02 02:22:28 Failed to listen on uapi socket: too many open files"
            var m = System.Text.RegularExpressions.Regex.Match(line, @"^ERROR: \([^)]*\) \S+ \S+ (.*)$");
            return m.Success ? m.Groups[1].Value : line;
        }
        catch (IOException) { return null; }
    }

    private enum SocketProbe { Answers, Refused, NotThere }

    private async Task<SocketProbe> ProbeAsync(CancellationToken ct)
    {
        try { await Uapi.GetAsync(ct).ConfigureAwait(false); return SocketProbe.Answers; }
        catch (VoltException e) when (e.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused }) { return SocketProbe.Refused; }
        catch (VoltException) { return SocketProbe.NotThere; }
        catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionRefused) { return SocketProbe.Refused; }
        catch (System.Net.Sockets.SocketException) { return SocketProbe.NotThere; }
        catch (IOException) { return SocketProbe.NotThere; }
    }

    /// <summary>Gives the interface its mesh address (the whole mesh prefix is on-link through it) and brings it up.</summary>
    public async Task AddressAsync(string address, int prefix, CancellationToken ct)
    {
        await Ip(ct, "address", "replace", $"{address}/{prefix}", "dev", iface).ConfigureAwait(false);
        await Ip(ct, "link", "set", "dev", iface, "mtu", "1420", "up").ConfigureAwait(false);
    }

    /// <summary>The workload subnets routed into the interface by Volt (<c>proto static</c>; the kernel's own on-link
    /// route of the address is not one).</summary>
    public async Task<HashSet<string>> RoutesAsync(CancellationToken ct)
    {
        var r = await processes.RunAsync("ip", ["-4", "route", "show", "dev", iface, "proto", "static"], ct: ct).ConfigureAwait(false);
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (!r.Success) return set;
        foreach (var line in r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dst = line.Split(' ')[0];
            set.Add(dst.Contains('/') ? dst : dst + "/32");
        }
        return set;
    }

    /// <summary>Routes a peer's workload subnet into the tunnel (its allowed IPs pick the peer).</summary>
    public Task AddRouteAsync(string subnet, CancellationToken ct) => Ip(ct, "route", "replace", subnet, "dev", iface, "proto", "static");

    /// <summary>Removes a subnet's route; false when it was not there.</summary>
    public async Task<bool> DeleteRouteAsync(string subnet, CancellationToken ct) =>
        (await processes.RunAsync("ip", ["route", "del", subnet, "dev", iface, "proto", "static"], ct: ct).ConfigureAwait(false)).Success;

    /// <summary>Deletes the link (wireguard-go exits with it); false when it was not there.</summary>
    public async Task<bool> DeleteAsync(CancellationToken ct)
    {
        var r = await processes.RunAsync("ip", ["link", "delete", "dev", iface], ct: ct).ConfigureAwait(false);
        return r.Success;
    }

    private async Task Ip(CancellationToken ct, params string[] args)
    {
        var r = await processes.RunAsync("ip", args, ct: ct).ConfigureAwait(false);
        if (!r.Success) throw new VoltException(ExitCode.General, $"ip {string.Join(' ', args)} failed: {r.StdErr.Trim()}");
    }
}
