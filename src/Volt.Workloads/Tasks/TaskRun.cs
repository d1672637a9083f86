using System.Text.Json.Serialization;

namespace Volt.Workloads.Tasks;

/// <summary>How one run of a task ended (the plain words history and <c>volt task list</c> show).</summary>
[JsonConverter(typeof(TaskResultJson))]
public enum TaskResult
{
    /// <summary>Still running (the record of a run in progress; a crash of voltd leaves it, the next voltd turns it into <see cref="Interrupted"/>).</summary>
    Running,
    Success,
    Failed,
    Timeout,
    /// <summary>voltd died (or was killed) while the run was in progress.</summary>
    Interrupted,
    /// <summary>The timer elapsed while the previous run was still running: nothing was started.</summary>
    [JsonStringEnumMemberName("skipped-overlap")] SkippedOverlap,
}

/// <summary>What started a run.</summary>
[JsonConverter(typeof(TaskTriggerJson))]
public enum TaskTrigger
{
    /// <summary>The timer elapsed.</summary>
    Timer,
    /// <summary><c>Persistent=true</c>: the one run voltd catches up for the elapses it missed while it was down.</summary>
    [JsonStringEnumMemberName("catch-up")] CatchUp,
    /// <summary><c>volt task run</c>.</summary>
    Manual,
}

/// <summary>
/// One history record: when the run was due (null for manual runs), when it started and ended, the exit code and the
/// result; <see cref="Pid"/> and <see cref="PidStart"/> (its start time in clock ticks since boot, from
/// <c>/proc/PID/stat</c>) identify a run's process so that a later voltd kills only that one. A skipped run has Start = End = when the overlap was noticed.
/// </summary>
public sealed record TaskRun(
    long Id,
    TaskTrigger Trigger,
    DateTimeOffset? Due,
    DateTimeOffset Start,
    DateTimeOffset? End,
    int? ExitCode,
    TaskResult Result,
    int? Pid = null,
    long? PidStart = null)
{
    /// <summary>The JSON words of <see cref="TaskResult"/> (<see cref="TaskResultJson"/>'s table), for readers without a converter.</summary>
    public static readonly Volt.Core.Json.EnumWords<TaskResult> ResultWords = new((TaskResult.Running, "Running"), (TaskResult.Success, "Success"), (TaskResult.Failed, "Failed"), (TaskResult.Timeout, "Timeout"), (TaskResult.Interrupted, "Interrupted"), (TaskResult.SkippedOverlap, "skipped-overlap"));

    /// <summary>The JSON words of <see cref="TaskTrigger"/> (<see cref="TaskTriggerJson"/>'s table).</summary>
    public static readonly Volt.Core.Json.EnumWords<TaskTrigger> TriggerWords = new((TaskTrigger.Timer, "Timer"), (TaskTrigger.CatchUp, "catch-up"), (TaskTrigger.Manual, "Manual"));

    public static string Word(TaskResult r) => r switch
    {
        TaskResult.SkippedOverlap => "skipped-overlap",
        _ => r.ToString().ToLowerInvariant(),
    };

    public static string Word(TaskTrigger t) => t switch
    {
        TaskTrigger.CatchUp => "catch-up",
        _ => t.ToString().ToLowerInvariant(),
    };

    /// <summary>The result a finished process gives: success on 0, timeout when it was killed for running too long.</summary>
    public static TaskResult ResultOf(int exitCode, bool timedOut) =>
        timedOut ? TaskResult.Timeout : exitCode == 0 ? TaskResult.Success : TaskResult.Failed;
}

/// <summary><see cref="TaskResult"/>'s words in JSON, without the stock converter's first-use reflection.</summary>
public sealed class TaskResultJson() : Volt.Core.Json.WordEnumConverter<TaskResult>(TaskRun.ResultWords);

/// <summary><see cref="TaskTrigger"/>'s words in JSON, without the stock converter's first-use reflection.</summary>
public sealed class TaskTriggerJson() : Volt.Core.Json.WordEnumConverter<TaskTrigger>(TaskRun.TriggerWords);
