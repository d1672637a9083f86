namespace Volt.Workloads.Containers;

/// <summary>What <c>volt container create</c> / <c>volt run</c> parsed; validated by <see cref="ContainerEngine.Create"/>.</summary>
public sealed record CreateRequest
{
    public required string Name { get; init; }
    public required string Image { get; init; }
    public IReadOnlyList<string> Command { get; init; } = [];
    public IReadOnlyList<string> Env { get; init; } = [];
    public IReadOnlyList<string> Volumes { get; init; } = [];
    public IReadOnlyList<string> Publish { get; init; } = [];
    public string? Network { get; init; }
    public string? Memory { get; init; }
    public string? Cpu { get; init; }
    public string? Pids { get; init; }
    public string Restart { get; init; } = "no";
    public string? Workdir { get; init; }
    public string? User { get; init; }
    public bool Init { get; init; }
    public bool AutoRemove { get; init; }
    public string? Userns { get; init; }
}
