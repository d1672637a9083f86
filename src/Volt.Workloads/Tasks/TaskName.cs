using Volt.Core.Naming;

namespace Volt.Workloads.Tasks;

/// <summary>Task names and the unit pair they map to: <c>volt-task-NAME.timer</c> + <c>volt-task-NAME.service</c>.</summary>
public static class TaskName
{
    public static bool IsValid(string name) => HumanName.IsValid(name);

    public static string Validate(string name) => HumanName.Validate(name, "task");

    public const string Prefix = "volt-task-";

    public static string TimerUnit(string name) => $"{Prefix}{name}.timer";

    public static string ServiceUnit(string name) => $"{Prefix}{name}.service";

    /// <summary>The task a unit file name belongs to (<c>volt-task-backup.timer</c> → <c>backup</c>), or null.</summary>
    public static string? FromTimerFile(string fileName) =>
        fileName.StartsWith(Prefix, StringComparison.Ordinal) && fileName.EndsWith(".timer", StringComparison.Ordinal)
            && fileName[Prefix.Length..^".timer".Length] is { } n && IsValid(n) ? n : null;
}
