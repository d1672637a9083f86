namespace Volt.Workloads.Tasks;

/// <summary>What <c>volt task create</c> asks for.</summary>
/// <param name="Schedule">An <c>OnCalendar=</c> expression (systemd.time(7)).</param>
/// <param name="Timeout">TimeoutStartSec=: a run longer than this is stopped and recorded as <c>timeout</c>; null: no limit.</param>
/// <param name="Env">KEY=VALUE pairs, in order.</param>
public sealed record TaskSpec(
    string Name,
    string Schedule,
    IReadOnlyList<string> Command,
    bool Persistent = false,
    TimeSpan? Timeout = null,
    string? User = null,
    IReadOnlyList<string>? Env = null,
    string? Workdir = null);

/// <summary>One task as <c>volt task list</c> and <c>volt ps</c> show it.</summary>
public sealed record TaskView(
    string Name,
    string Schedule,
    bool Persistent,
    bool Enabled,
    TimeSpan? Timeout,
    IReadOnlyList<string> Command,
    TaskRun? LastRun,
    DateTimeOffset? NextRun);
