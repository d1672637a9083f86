using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Paths;
using Volt.Hosting;
using Volt.Workloads.Runtime;

namespace Volt.Daemon;

/// <summary>
/// voltd: re-adopts running containers, serves the API on the unix socket, supervises. SIGTERM/SIGINT stop workloads
/// newest first and exit; SIGHUP calls <see cref="DaemonOptions.Reload"/>. One per root (a flock on
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

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; o.Reload?.Invoke(); LogReloaded(log); });

        if (File.Exists(o.SocketPath)) File.Delete(o.SocketPath);
        Directory.CreateDirectory(Path.GetDirectoryName(o.SocketPath)!);
        var builder = SlimHost.CreateBuilder(paths.Root);
        builder.WebHost.ConfigureKestrel(k => { k.AddServerHeader = false; k.ListenUnixSocket(o.SocketPath); });
        await using var app = builder.Build();
        var workloads = new WorkloadHandlers([new ContainerWorkloadHandler(runtime, new Workloads.Containers.ContainerEngine(o.Host)), .. o.Workloads]);
        foreach (var l in workloads.All.OfType<IWorkloadLifecycle>()) await l.OnDaemonStartAsync(stop.Token).ConfigureAwait(false);
        app.Run(new DaemonDispatcher(new DaemonServices(runtime, workloads, o.Host.DefaultStopTimeout)).HandleAsync);
        await app.StartAsync(stop.Token).ConfigureAwait(false);
        AtomicFile.WriteAllText(paths.PidFile, Environment.ProcessId + "\n");
        LogListening(log, o.SocketPath, Environment.ProcessId);
        try { await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { }

        foreach (var l in workloads.All.OfType<IWorkloadLifecycle>().Reverse())
            try { await l.OnDaemonStopAsync(o.Host.DefaultStopTimeout).ConfigureAwait(false); }
            catch (Exception e) { LogWorkloadStopFailed(log, ((IWorkloadHandler)l).Kind, e); }
        LogStopping(log, runtime.Running.Count);
        await runtime.StopAllAsync(o.Host.DefaultStopTimeout).ConfigureAwait(false);
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        AtomicFile.TryDelete(o.SocketPath);
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

    [LoggerMessage(EventId = 6006, Level = LogLevel.Information, Message = "voltd reloaded its configuration (SIGHUP)")]
    private static partial void LogReloaded(ILogger log);
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
    /// <summary>Called on SIGHUP.</summary>
    public Action? Reload { get; init; }

    /// <summary><c>VOLT_HOST</c> (<c>unix:///path</c> or a path) overrides the socket in <see cref="VoltPaths"/>.</summary>
    public static string Socket(VoltPaths paths, string? voltHost) =>
        string.IsNullOrEmpty(voltHost) ? paths.Socket
        : voltHost.StartsWith("unix://", StringComparison.Ordinal) ? voltHost["unix://".Length..]
        : voltHost;
}
