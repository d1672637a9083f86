using Volt.Core.Naming;

namespace Volt.Workloads.Containers;

/// <summary>Human container names: <c>[a-z0-9][a-z0-9_.-]{0,62}</c> (also a valid hostname-ish machine name).</summary>
public static class ContainerName
{
    public static bool IsValid(string name) => HumanName.IsValid(name);

    public static string Validate(string name) => HumanName.Validate(name, "container");

    /// <summary>A generated name for <c>volt run</c> without <c>--name</c>.</summary>
    public static string Generate() => "c-" + Guid.NewGuid().ToString("N")[..10];
}
