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

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TaskState))]
[JsonSerializable(typeof(List<TaskRun>))]
internal sealed partial class TaskJson : JsonSerializerContext;
