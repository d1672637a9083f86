using Volt.Core.Naming;

namespace Volt.Workloads.Services;

/// <summary>
/// Service names: <c>[a-z0-9][a-z0-9_.-]{0,62}</c> like containers (the unit is <c>NAME.service</c>); a trailing
/// <c>.service</c> typed by habit is dropped. Names of other kinds' unit families are refused.
/// </summary>
public static class ServiceName
{
    public const string Suffix = ".service";

    public static bool IsValid(string name) => HumanName.IsValid(name) && !IsOtherKind(name);

    /// <summary>The name without a trailing <c>.service</c>, validated (exit 2 when invalid).</summary>
    public static string Normalize(string name)
    {
        var n = name.EndsWith(Suffix, StringComparison.Ordinal) ? name[..^Suffix.Length] : name;
        return IsValid(n) ? n
            : throw HumanName.Invalid(name, "service", "(not volt-container@, volt-vm@, volt-task-)");
    }

    public static string UnitName(string name) => name + Suffix;

    /// <summary>Units of container, VM, task and health-check families live in the same directory but are not services.</summary>
    public static bool IsOtherKind(string name) =>
        name.StartsWith("volt-container@", StringComparison.Ordinal) || name.StartsWith("volt-vm@", StringComparison.Ordinal)
        || name.StartsWith("volt-task-", StringComparison.Ordinal) || name.StartsWith("volt-health@", StringComparison.Ordinal)
        || name.Contains('@');
}
