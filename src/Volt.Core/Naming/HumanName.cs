using Volt.Core.Errors;

namespace Volt.Core.Naming;

/// <summary>
/// The one shape of a workload's human name (containers, services, tasks, VMs, kernel profiles): 1-63 of
/// <c>a-z 0-9 _ . -</c>, starting with a letter or digit — a valid machine name and unit instance, and a file name in
/// Volt's directories. A loop, not a regex: the check runs on every command's start path, where the regex engine's
/// static set-up cost more than the check.
/// </summary>
public static class HumanName
{
    public const int MaxLength = 63;

    public static bool IsValid(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxLength || !IsLowerAlnum(name[0])) return false;
        foreach (var c in name[1..])
            if (!IsLowerAlnum(c) && c is not ('_' or '.' or '-')) return false;
        return true;
    }

    /// <summary><paramref name="name"/> when valid, else exit 2 naming the <paramref name="kind"/> ("container", "task").</summary>
    public static string Validate(string name, string kind, string? also = null) => IsValid(name) ? name : throw Invalid(name, kind, also);

    /// <summary>The usage error for an invalid name; <paramref name="also"/> adds what else the kind refuses.</summary>
    public static VoltException Invalid(string name, string kind, string? also = null) =>
        VoltException.Usage($"invalid {kind} name \"{name}\": use 1-{MaxLength} of a-z 0-9 _ . - starting with a letter or digit{(also is null ? "" : " " + also)}");

    private static bool IsLowerAlnum(char c) => c is >= 'a' and <= 'z' or >= '0' and <= '9';
}
