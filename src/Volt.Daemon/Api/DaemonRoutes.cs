using Volt.Core.Security;
using Volt.Workloads.Containers;
using Volt.Workloads.Tasks;

namespace Volt.Daemon;

/// <summary>
/// voltd's API, declared once: the server (<see cref="DaemonDispatcher"/>) serves exactly <see cref="All"/>, and the
/// typed client (<see cref="DaemonClient"/>) can only call one of these rows. To add a route: add a row here (method,
/// template, request/response JSON contracts from <see cref="DaemonJson"/>, handler), add it to <see cref="All"/>, add
/// a typed method to <see cref="DaemonClient"/>; the contract test then calls it against a real voltd.
/// Errors: <see cref="Hosting.ErrorResponse"/> with the status of <see cref="Hosting.HttpErrors"/>.
/// </summary>
public static class DaemonRoutes
{
    public static readonly DaemonRoute<Empty, PingResponse> Ping = new(nameof(Ping), "GET", "/v1/ping",
        null, static () => DaemonJson.Default.PingResponse,
        static (s, _, _, _) => Task.FromResult(new PingResponse(Environment.ProcessId, s.Version, s.Containers.Running, s.Workloads.Kinds)),
        access: Anyone);

    // The container routes keep the wire of earlier voltds: a new CLI talks to a voltd started by the previous binary.

    /// <summary><c>volt run -d</c> in one call: create and start (201).</summary>
    public static readonly DaemonRoute<CreateRequest, Empty> CreateContainer = new(nameof(CreateContainer), "POST", "/v1/containers?start=1",
        static () => DaemonJson.Default.CreateRequest, null,
        static async (s, _, request, ct) => { await s.Containers.CreateAndStartAsync(request, ct).ConfigureAwait(false); return Empty.Value; },
        status: 201, access: Containers, audit: static _ => "container.run", auditResource: static r => r.Name,
        auditDetail: static (s, _, r) => s.Containers.TakeSandboxSummary(r.Name));

    public static readonly DaemonRoute<Empty, Empty> StartContainer = new(nameof(StartContainer), "POST", "/v1/containers/{name}/start",
        null, null,
        static async (s, a, _, ct) => { await s.Containers.StartAsync(a["name"], ct).ConfigureAwait(false); return Empty.Value; },
        access: Containers, audit: static _ => "container.start", auditDetail: static (s, a, _) => s.Containers.TakeSandboxSummary(a["name"]));

    public static readonly DaemonRoute<Empty, Empty> StopContainer = new(nameof(StopContainer), "POST", "/v1/containers/{name}/stop?timeout={timeout}",
        null, null,
        static async (s, a, _, _) =>
        {
            await s.Containers.StopAsync(a["name"], a.Seconds("timeout", s.DefaultStopTimeout), CancellationToken.None).ConfigureAwait(false);
            return Empty.Value;
        },
        access: Containers, audit: static _ => "container.stop");

    // Workloads of every kind, through the kind's IWorkloadHandler.

    public static readonly DaemonRoute<Empty, WorkloadList> ListWorkloads = new(nameof(ListWorkloads), "GET", "/v1/workloads",
        null, static () => DaemonJson.Default.WorkloadList,
        static async (s, _, _, ct) =>
        {
            var all = new List<WorkloadSummary>();
            foreach (var h in s.Workloads.All.OrderBy(h => WorkloadKinds.Order(h.Kind)))
                all.AddRange(await h.ListAsync(ct).ConfigureAwait(false));
            return new WorkloadList(all);
        },
        access: Anyone);

    public static readonly DaemonRoute<Empty, WorkloadList> ListWorkloadsOfKind = new(nameof(ListWorkloadsOfKind), "GET", "/v1/workloads/{kind}",
        null, static () => DaemonJson.Default.WorkloadList,
        static async (s, a, _, ct) => new WorkloadList(await s.Workloads.For(a["kind"]).ListAsync(ct).ConfigureAwait(false)),
        access: Anyone);

    public static readonly DaemonRoute<Empty, Empty> StartWorkload = new(nameof(StartWorkload), "POST", "/v1/workloads/{kind}/{name}/start",
        null, null,
        static async (s, a, _, ct) => { await s.Workloads.For(a["kind"]).StartAsync(a["name"], ct).ConfigureAwait(false); return Empty.Value; },
        access: ByKind, audit: static a => a["kind"] + ".start",
        // The start's sandbox summary in voltd's own line: the CLI writes no second one (an fdatasync, a flock, a user lookup).
        auditDetail: static (s, a, _) => s.Workloads.For(a["kind"]) is IWorkloadStartDetail d ? d.StartDetail(a["name"]) : null);

    public static readonly DaemonRoute<Empty, Empty> StopWorkload = new(nameof(StopWorkload), "POST", "/v1/workloads/{kind}/{name}/stop?timeout={timeout}",
        null, null,
        static async (s, a, _, ct) =>
        {
            await s.Workloads.For(a["kind"]).StopAsync(a["name"], a.Seconds("timeout"), ct).ConfigureAwait(false);
            return Empty.Value;
        },
        access: ByKind, audit: static a => a["kind"] + ".stop");

    public static readonly DaemonRoute<Empty, Empty> RestartWorkload = new(nameof(RestartWorkload), "POST", "/v1/workloads/{kind}/{name}/restart?timeout={timeout}",
        null, null,
        static async (s, a, _, ct) =>
        {
            await s.Workloads.For(a["kind"]).RestartAsync(a["name"], a.Seconds("timeout"), ct).ConfigureAwait(false);
            return Empty.Value;
        },
        access: ByKind, audit: static a => a["kind"] + ".restart");

    // Tasks: what start/stop do not say (TaskWorkloadHandler).

    /// <summary>Re-reads a task's units and state (after create, enable, disable): its timer is re-armed or disarmed.</summary>
    public static readonly DaemonRoute<Empty, Empty> ReloadTask = new(nameof(ReloadTask), "POST", "/v1/tasks/{name}/reload",
        null, null,
        static async (s, a, _, _) => { await Tasks(s).ReloadAsync(a["name"]).ConfigureAwait(false); return Empty.Value; });

    /// <summary><c>volt task run</c>: runs it now, answers its record when it ended (a run in progress: 409).</summary>
    public static readonly DaemonRoute<Empty, TaskRun> RunTask = new(nameof(RunTask), "POST", "/v1/tasks/{name}/run",
        null, static () => DaemonJson.Default.TaskRun,
        static (s, a, _, ct) => Tasks(s).RunNowAsync(a["name"], ct),
        audit: static _ => "task.run");

    /// <summary>Before delete: the timer ends and a run in progress is stopped.</summary>
    public static readonly DaemonRoute<Empty, Empty> RemoveTask = new(nameof(RemoveTask), "POST", "/v1/tasks/{name}/remove",
        null, null,
        static async (s, a, _, _) => { await Tasks(s).RemoveAsync(a["name"]).ConfigureAwait(false); return Empty.Value; },
        audit: static _ => "task.delete");

    private static AccessLevel Anyone(RouteArgs _) => AccessLevel.AnyUser;
    private static AccessLevel Containers(RouteArgs _) => AccessLevel.ContainerLifecycle;

    /// <summary>Containers for the volt group, VMs for volt + kvm, services and tasks for root (docs/security.md).</summary>
    private static AccessLevel ByKind(RouteArgs a) => a["kind"] switch
    {
        WorkloadKinds.Container => AccessLevel.ContainerLifecycle,
        WorkloadKinds.Vm => AccessLevel.VmLifecycle,
        _ => AccessLevel.Root,
    };

    private static TaskTimers Tasks(DaemonServices s) =>
        s.Workloads.For(WorkloadKinds.Task) is TaskWorkloadHandler h ? h.Timers
        : throw Core.Errors.VoltException.NotFound("this voltd runs no task workloads");

    /// <summary>Every route voltd serves. A row missing here is served by no one (the contract test checks).</summary>
    public static readonly IReadOnlyList<DaemonRoute> All =
    [
        Ping,
        CreateContainer, StartContainer, StopContainer,
        ListWorkloads, ListWorkloadsOfKind, StartWorkload, StopWorkload, RestartWorkload,
        ReloadTask, RunTask, RemoveTask,
    ];
}
