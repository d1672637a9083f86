namespace Volt.Cli;

/// <summary>Environment variables as the CLI sees them; tests pass their own.</summary>
public sealed class VoltEnvironment(Func<string, string?> get)
{
    public static VoltEnvironment Process { get; } = new(Environment.GetEnvironmentVariable);

    public static VoltEnvironment From(IReadOnlyDictionary<string, string> vars) =>
        new(k => vars.TryGetValue(k, out var v) ? v : null);

    public string? this[string name] => get(name);

    public bool Flag(string name) => this[name]?.Trim().ToLowerInvariant() is "1" or "true" or "yes" or "on";
}
