namespace Volt.Daemon;

/// <summary>
/// What voltd does for one workload kind (<c>container</c>, <c>service</c>, <c>task</c>, <c>vm</c>) behind the
/// generic routes <c>/v1/workloads/{kind}/{name}/start|stop|restart</c> and <c>GET /v1/workloads</c>. A kind plugs
/// in by passing its handler in <see cref="DaemonOptions.Workloads"/>; the dispatcher and the routes stay as they are.
/// Errors are <see cref="Core.Errors.VoltException"/>s; their exit code travels back to the CLI.
/// </summary>
public interface IWorkloadHandler
{
    /// <summary>The kind's word in routes and <c>volt ps</c>: one of <see cref="WorkloadKinds.All"/>.</summary>
    string Kind { get; }

    /// <summary>Starts a stopped workload; a running one is left as is.</summary>
    Task StartAsync(string name, CancellationToken ct);

    /// <summary>
    /// Stops it (SIGTERM, then SIGKILL after <paramref name="timeout"/>); a stopped one is left as is. A null timeout
    /// (the request named none) is the kind's own default: voltd's stop timeout for a container, the unit's
    /// TimeoutStopSec= for a service.
    /// </summary>
    Task StopAsync(string name, TimeSpan? timeout, CancellationToken ct);

    /// <summary>Stops (as <see cref="StopAsync"/>) and starts again; a stopped workload is just started.</summary>
    Task RestartAsync(string name, TimeSpan? timeout, CancellationToken ct);

    /// <summary>Every workload of this kind voltd knows, running or not, sorted by name.</summary>
    Task<IReadOnlyList<WorkloadSummary>> ListAsync(CancellationToken ct);
}

/// <summary>
/// Optional for a <see cref="IWorkloadHandler"/> with work of its own across voltd's life (re-adopting what a previous
/// voltd started, a scheduler): voltd calls <see cref="OnDaemonStartAsync"/> before it listens and
/// <see cref="OnDaemonStopAsync"/> on SIGTERM, before it stops the containers.
/// </summary>
public interface IWorkloadLifecycle
{
    Task OnDaemonStartAsync(CancellationToken ct);
    Task OnDaemonStopAsync(TimeSpan timeout);
}

/// <summary>The workload kinds' words, as routes and <c>volt ps</c> spell them.</summary>
public static class WorkloadKinds
{
    public const string Container = "container";
    public const string Service = "service";
    public const string Task = "task";
    public const string Vm = "vm";
    private static readonly string[] Words = [Container, Service, Task, Vm];
    public static IReadOnlyList<string> All => Words;

    /// <summary>The kind's place in <see cref="All"/> (lists are sorted by it); -1 for an unknown word.</summary>
    public static int Order(string kind) => Array.IndexOf(Words, kind);
}

/// <summary>
/// Optional for a <see cref="IWorkloadHandler"/> whose start plans something the audit line should name (a service's
/// sandbox report): voltd's own <c>KIND.start</c> line carries it, so the CLI writes no second line for the same start.
/// </summary>
public interface IWorkloadStartDetail
{
    /// <summary>The summary of what the last start of <paramref name="name"/> enforced; null when there is nothing to say.</summary>
    string? StartDetail(string name);
}
