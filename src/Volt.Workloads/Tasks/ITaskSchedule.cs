namespace Volt.Workloads.Tasks;

/// <summary>When a task's timer elapses: its <c>[Timer]</c> section as the scheduler needs it.</summary>
public interface ITaskSchedule
{
    /// <summary><c>Persistent=true</c>: an elapse missed while voltd was down is caught up (once) when it comes back.</summary>
    bool Persistent { get; }

    /// <summary>
    /// The next elapse, randomized delay included; an elapse already past is <see cref="ScheduleTimes.Now"/> (with
    /// <c>Persistent=true</c> and a last trigger from before voltd's downtime, that is the one catch-up run); null when
    /// nothing is due any more (an <c>OnBootSec</c> that has fired).
    /// </summary>
    DateTimeOffset? NextElapse(ScheduleTimes times);
}

/// <summary>The reference points a timer's settings are relative to (systemd.timer(5)).</summary>
/// <param name="Now">The clock.</param>
/// <param name="Boot">When the host booted (<c>OnBootSec</c>).</param>
/// <param name="LastTrigger">The last trigger: this voltd's, else the persisted one (used only with <c>Persistent=true</c>
/// or when it is after <paramref name="Activated"/>).</param>
/// <param name="Activated">When the timer was armed (voltd's start, or the reload after create/enable).</param>
/// <param name="LastActivation">When the task's service last started (<c>OnUnitActiveSec</c>); null if never.</param>
public readonly record struct ScheduleTimes(DateTimeOffset Now, DateTimeOffset Boot, DateTimeOffset? LastTrigger, DateTimeOffset Activated, DateTimeOffset? LastActivation);

/// <summary>One task as the scheduler runs it: its name, schedule (and how it was written) and start timeout.</summary>
public sealed record TaskDefinition(string Name, ITaskSchedule Schedule, string ScheduleText, TimeSpan? Timeout);

/// <summary>Where the scheduler finds task definitions (the unit files in production).</summary>
public interface ITaskDefinitions
{
    IReadOnlyList<string> Names();

    /// <summary>The task's definition; null when it no longer exists.</summary>
    TaskDefinition? Load(string name);
}

/// <summary>Starts a task's oneshot service (its <c>.service</c> unit) as a process.</summary>
public interface ITaskLauncher
{
    Task<ITaskProcess> StartAsync(string name, CancellationToken ct);

    /// <summary>Kills what is left of a run an earlier voltd started (its cgroup): for interrupted runs.</summary>
    Task CleanupAsync(string name);
}

/// <summary>A started run's process.</summary>
public interface ITaskProcess
{
    int Pid { get; }

    /// <summary>Completes with the exit code (128 + signal when a signal ended it).</summary>
    Task<int> Exited { get; }

    /// <summary>SIGTERM, then SIGKILL once <paramref name="grace"/> has passed; returns when the process is gone.</summary>
    Task StopAsync(TimeSpan grace);
}
