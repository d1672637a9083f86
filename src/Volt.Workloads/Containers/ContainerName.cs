using System.Text.RegularExpressions;
using Volt.Core.Errors;

namespace Volt.Workloads.Containers;

/// <summary>Human container names: <c>[a-z0-9][a-z0-9_.-]{0,62}</c> (also a valid hostname-ish machine name).</summary>
public static partial class ContainerName
{
    [GeneratedRegex(@"^[a-z0-9][a-z0-9_.-]{0,62}\z")]
    private static partial Regex Pattern();

    public static bool IsValid(string name) => Pattern().IsMatch(name);

    public static string Validate(string name) => IsValid(name) ? name
        : throw VoltException.Usage($"invalid container name \"{name}\": use 1-63 of a-z 0-9 _ . - starting with a letter or digit");

    /// <summary>A generated name for <c>volt run</c> without <c>--name</c>.</summary>
    public static string Generate() => "c-" + Guid.NewGuid().ToString("N")[..10];
}
