using Volt.Core.Errors;

namespace Volt.Core.Config;

/// <summary>One thing wrong in a config file, at a 1-based line and column.</summary>
public sealed record ConfigProblem(string File, long Line, long Column, string Message)
{
    /// <summary><c>invalid config /etc/volt/config.yaml:3:13: cas.gc_grace is "soon"; expected …</c></summary>
    public override string ToString() => $"invalid config {File}:{Line}:{Column}: {Message}";
}

/// <summary>An invalid config file (exit 12); every problem found is listed, each with its position.</summary>
public sealed class ConfigException(IReadOnlyList<ConfigProblem> problems)
    : VoltException(ExitCode.InvalidConfig, problems.Count == 1 ? problems[0].ToString()
        : $"{problems.Count} errors: " + string.Join("; ", problems))
{
    public IReadOnlyList<ConfigProblem> Problems { get; } = problems;
}
