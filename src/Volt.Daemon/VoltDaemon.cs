using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Paths;
using Volt.Hosting;
using Volt.Hosting.Signals;
using Volt.Workloads.Runtime;

namespace Volt.Daemon;

/// <summary>
/// voltd: re-adopts running containers, serves the API on the unix socket, supervises. Cancelling <c>ct</c> (SIGTERM/
/// SIGINT through the CLI) stops workloads newest first and returns; SIGHUP calls <see cref="DaemonOptions.Reload"/>. One per root (a flock on
/// <c>/var/run/volt/voltd.lock</c>); PID in <c>/var/run/volt/volt.pid</c>.
/// </summary>
public static partial class VoltDaemon
{
    public static async Task RunAsync(DaemonOptions o, CancellationToken ct)
    {
        var paths = o.Host.Paths;
        Directory.CreateDirectory(paths.Run);
        using var instance = FileLock.TryExclusive(Path.Combine(paths.Run, "voltd.lock"))
            ?? throw new VoltException(ExitCode.Daemon, $"voltd is already running for {paths.Root} (pid file {paths.PidFile})");
        var log = o.Host.Logging.CreateLogger("Volt.Daemon");
        await using var runtime = new ContainerRuntime(o.Host);
        if (o.SharedCgroups) runtime.EnterSharedBookkeeping();
        var adopted = await runtime.AdoptAsync().ConfigureAwait(false);
        LogAdopted(log, adopted.Count);
        // What killed creates and crashed starts left behind (cgroups, ctr:NAME rules, half records): see ContainerEngine.
        try { LogOrphans(log, (await new Workloads.Containers.ContainerEngine(o.Host).CollectOrphansAsync(ct).ConfigureAwait(false)).Count); }
        catch (Exception e) when (e is IOException or VoltException or UnauthorizedAccessException) { LogOrphansFailed(log, e); }

        // SIGTERM/SIGINT arrive as ct: `volt daemon` is a server command (the CLI's ServerSignalScope cancels it, with
        // no deadline; a second Ctrl+C ends the process).

        // Socket activation (volt.socket under systemd, or systemd-socket-activate): serve the sockets handed over and
        // leave their files to whoever made them; otherwise make our own socket.
        var activated = (o.ListenFds ?? SystemdActivation.ListenFds()).Where(SystemdActivation.IsSocket).ToList();
        if (activated.Count == 0)
        {
            if (File.Exists(o.SocketPath)) File.Delete(o.SocketPath);
            Directory.CreateDirectory(Path.GetDirectoryName(o.SocketPath)!);
        }
        var builder = SlimHost.CreateBuilder(paths.Root);
        // Kestrel's warnings, and why it closed a client's connection (bad request, timeouts: debug-level events a
        // local socket's clients never cause on purpose), in voltd's log and format.
        builder.Logging.AddSimpleConsole(c =>
        {
            c.SingleLine = true;
            c.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            c.UseUtcTimestamp = true;
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel.BadRequests", LogLevel.Debug);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // A client that connects and sends nothing, or too much, is closed without touching voltd's work.
            k.Limits.MaxRequestBodySize = DaemonLimits.MaxBody;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            k.Limits.RequestHeadersTimeout = DaemonLimits.HeadersTimeout;
            k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(30);
            // No minimum response rate: a local client that stops reading holds only its own connection, and a busy
            // voltd (a 30-service stack starting at once) must not reset the answer it is late to send.
            k.Limits.MinResponseDataRate = null;
            if (activated.Count == 0) k.ListenUnixSocket(o.SocketPath);
            foreach (var fd in activated) k.ListenHandle((ulong)fd);
        });
        await using var app = builder.Build();
        var workloads = new WorkloadHandlers([new ContainerWorkloadHandler(runtime, new Workloads.Containers.ContainerEngine(o.Host), o.Host.DefaultStopTimeout), .. o.Workloads]);
        foreach (var l in workloads.All.OfType<IWorkloadLifecycle>()) await l.OnDaemonStartAsync(ct).ConfigureAwait(false);
        var gate = new AccessGate(new Core.Audit.AuditLog(paths.AuditLog, TimeProvider.System), o.Host.Processes);
        var dispatcher = new DaemonDispatcher(new DaemonServices(runtime, workloads, o.Host.DefaultStopTimeout), gate: gate);
        // Signals before the socket answers: a client that saw voltd answer may signal it at once.
        using var signals = ServerSignals.Install(new ServerSignalHandlers
        {
            Server = "voltd",
            Write = text => LogSignal(log, text),
            State = () => DaemonState.Summary(runtime, workloads, dispatcher),
            Processes = o.Host.Processes,
            Reload = o.Reload,
        });
        app.Run(dispatcher.HandleAsync);
        await app.StartAsync(ct).ConfigureAwait(false);
        // A handed-over socket has the mode and group its .socket unit gave it (volt.socket: SocketMode=0660, SocketGroup=volt).
        if (activated.Count == 0) DaemonSocket.Secure(o.SocketPath, o.SocketGroup, o.SocketGroupRequired, log);
        DaemonSocket.ShareLogs(Path.Combine(paths.Log, "workloads"), o.SocketGroup);
        AtomicFile.WriteAllText(paths.PidFile, Environment.ProcessId + "\n");
        if (activated.Count == 0) LogListening(log, o.SocketPath, Environment.ProcessId);
        else LogActivated(log, activated.Count, Environment.ProcessId);
        try { await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { }

        foreach (var l in workloads.All.OfType<IWorkloadLifecycle>().Reverse())
            try { await l.OnDaemonStopAsync(o.Host.DefaultStopTimeout).ConfigureAwait(false); }
            catch (Exception e) { LogWorkloadStopFailed(log, ((IWorkloadHandler)l).Kind, e); }
        LogStopping(log, runtime.Running.Count);
        await runtime.StopAllAsync(o.Host.DefaultStopTimeout).ConfigureAwait(false);
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (activated.Count == 0) AtomicFile.TryDelete(o.SocketPath);
        AtomicFile.TryDelete(paths.PidFile);
    }


    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "voltd re-adopted {Count} running container(s)")]
    private static partial void LogAdopted(ILogger log, int count);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "voltd collected {Count} orphan(s) of interrupted creates")]
    private static partial void LogOrphans(ILogger log, int count);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "voltd could not collect orphans")]
    private static partial void LogOrphansFailed(ILogger log, Exception e);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "voltd listening on {Socket} (pid {Pid})")]
    private static partial void LogListening(ILogger log, string socket, int pid);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Information, Message = "voltd stopping: {Count} container(s), newest first")]
    private static partial void LogStopping(ILogger log, int count);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Warning, Message = "voltd could not stop its {Kind} workloads")]
    private static partial void LogWorkloadStopFailed(ILogger log, string kind, Exception e);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Information, Message = "voltd listening on {Count} socket(s) handed over by systemd (pid {Pid})")]
    private static partial void LogActivated(ILogger log, int count, int pid);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Information, Message = "{Text}")]
    private static partial void LogSignal(ILogger log, string text);
}

/// <summary>What voltd accepts from one client (requests are small JSON documents).</summary>
public static class DaemonLimits
{
    public const long MaxBody = 1024 * 1024;
    public static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(10);
}

/// <summary>What voltd runs with.</summary>
public sealed class DaemonOptions
{
    public required ContainerHost Host { get; init; }
    public required string SocketPath { get; init; }
    /// <summary>
    /// Move this process into the cgroup driver's shared bookkeeping group (<see cref="ContainerRuntime.EnterSharedBookkeeping"/>):
    /// for the <c>volt daemon</c> process, not for in-process hosts whose cgroup must stay where it is.
    /// </summary>
    public bool SharedCgroups { get; init; }
    /// <summary>
    /// The handlers of the workload kinds besides containers (services, tasks, VMs), keyed by their
    /// <see cref="IWorkloadHandler.Kind"/>; voltd adds the container handler itself.
    /// </summary>
    public IReadOnlyList<IWorkloadHandler> Workloads { get; init; } = [];
    /// <summary>Called on SIGHUP; says what it did (logged), throws to keep the running configuration.</summary>
    public Func<string>? Reload { get; init; }
    /// <summary>The group the socket is shared with (<c>root:GROUP 0660</c>, <see cref="DaemonConfig"/>).</summary>
    public string SocketGroup { get; init; } = Core.Security.AccessRules.VoltGroup;
    /// <summary>The group was named in config.yaml: a host without it is an error (exit 12), not a root-only socket.</summary>
    public bool SocketGroupRequired { get; init; }
    /// <summary>
    /// Listening sockets to serve instead of <see cref="SocketPath"/>; null: those systemd handed over
    /// (<see cref="SystemdActivation.ListenFds()"/>, none when not socket-activated).
    /// </summary>
    public IReadOnlyList<int>? ListenFds { get; init; }

    /// <summary><c>VOLT_HOST</c> (<c>unix:///path</c> or a path) overrides the socket in <see cref="VoltPaths"/>.</summary>
    public static string Socket(VoltPaths paths, string? voltHost) =>
        string.IsNullOrEmpty(voltHost) ? paths.Socket
        : voltHost.StartsWith("unix://", StringComparison.Ordinal) ? voltHost["unix://".Length..]
        : voltHost;
}
