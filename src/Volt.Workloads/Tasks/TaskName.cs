using System.Text.RegularExpressions;
using Volt.Core.Errors;

namespace Volt.Workloads.Tasks;

/// <summary>Task names and the unit pair they map to: <c>volt-task-NAME.timer</c> + <c>volt-task-NAME.service</c>.</summary>
public static partial class TaskName
{
    [GeneratedRegex(@"^[a-z0-9][a-z0-9_.-]{0,62}\z")]
    private static partial Regex Pattern();

    public static bool IsValid(string name) => Pattern().IsMatch(name);

    public static string Validate(string name) => IsValid(name) ? name
        : throw VoltException.Usage($"invalid task name \"{name}\": use 1-63 of a-z 0-9 _ . - starting with a letter or digit");

    public const string Prefix = "volt-task-";

    public static string TimerUnit(string name) => $"{Prefix}{name}.timer";

    public static string ServiceUnit(string name) => $"{Prefix}{name}.service";

    /// <summary>The task a unit file name belongs to (<c>volt-task-backup.timer</c> → <c>backup</c>), or null.</summary>
    public static string? FromTimerFile(string fileName) =>
        fileName.StartsWith(Prefix, StringComparison.Ordinal) && fileName.EndsWith(".timer", StringComparison.Ordinal)
            && fileName[Prefix.Length..^".timer".Length] is { } n && IsValid(n) ? n : null;
}
