namespace Volt.Workloads.Tasks;

/// <summary>When a task's timer elapses: its <c>[Timer]</c> section as the scheduler needs it.</summary>
public interface ITaskSchedule
{
    /// <summary><c>Persistent=true</c>: an elapse missed while voltd was down is caught up (once) when it comes back.</summary>
    bool Persistent { get; }

    /// <summary>
    /// The first elapse strictly after <see cref="ScheduleTimes.After"/> (the last trigger, or when the timer was
    /// armed), randomized delay included; null when nothing is due any more (an <c>OnBootSec</c> that has passed).
    /// </summary>
    DateTimeOffset? NextElapse(ScheduleTimes times);
}

/// <summary>The reference points a timer's settings are relative to.</summary>
/// <param name="After">Last trigger (or the arming time): calendar elapses come after it.</param>
/// <param name="Boot">When the host booted (<c>OnBootSec</c>).</param>
/// <param name="LastActivation">When the task's service last started (<c>OnUnitActiveSec</c>); null if never.</param>
public readonly record struct ScheduleTimes(DateTimeOffset After, DateTimeOffset Boot, DateTimeOffset? LastActivation);

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
