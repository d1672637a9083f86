using System.Text.Json.Serialization;

namespace Volt.Workloads.Tasks;

/// <summary>
/// What the scheduler keeps between voltd lifetimes for one task: the last trigger (<c>Persistent=true</c> catches
/// up from it, as systemd's stamp file), the next elapse it armed (what <c>volt task list</c> shows), whether the timer
/// is enabled.
/// </summary>
public sealed record TaskState
{
    public DateTimeOffset? LastTrigger { get; init; }
    public DateTimeOffset? NextElapse { get; init; }
    public bool Enabled { get; init; } = true;
}

/// <summary>
/// <c>last.json</c>: the newest run that was not a skipped overlap, and the stamp (inode, size, times) of the
/// history file it was taken from, so that <c>volt ps</c> reads one small record instead of up to 100 runs; a history
/// file with another stamp (a crash between the two writes, a voltd of an earlier binary) is read in full instead.
/// </summary>
public sealed record TaskLastRun
{
    public required string HistoryStamp { get; init; }
    public TaskRun? Run { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TaskState))]
[JsonSerializable(typeof(List<TaskRun>))]
[JsonSerializable(typeof(TaskLastRun))]
internal sealed partial class TaskJson : JsonSerializerContext;
