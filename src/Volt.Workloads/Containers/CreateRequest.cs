namespace Volt.Workloads.Containers;

/// <summary>What <c>volt container create</c> / <c>volt run</c> parsed; validated by <see cref="ContainerEngine.Create"/>.</summary>
public sealed record CreateRequest
{
    public required string Name { get; init; }
    public required string Image { get; init; }
    public IReadOnlyList<string> Command { get; init; } = [];
    public IReadOnlyList<string> Env { get; init; } = [];
    public IReadOnlyList<string> Volumes { get; init; } = [];
    /// <summary>tmpfs mounts: <c>/PATH[:OPTIONS]</c> (tmpfs options such as <c>mode=1777,size=64m</c>).</summary>
    public IReadOnlyList<string> Tmpfs { get; init; } = [];
    public IReadOnlyList<string> Publish { get; init; } = [];
    public string? Network { get; init; }
    /// <summary>Networks after the first (<c>--network a --network b</c>): eth1, eth2… inside.</summary>
    public IReadOnlyList<string> ExtraNetworks { get; init; } = [];
    public string? Memory { get; init; }
    public string? Cpu { get; init; }
    public string? Pids { get; init; }
    public string Restart { get; init; } = "no";
    public string? Workdir { get; init; }
    public string? User { get; init; }
    public bool Init { get; init; }
    public bool AutoRemove { get; init; }
    public string? Userns { get; init; }
    /// <summary><c>--health-cmd</c> (run by <c>/bin/sh -c</c>) and the other <c>--health-*</c> flags; they override the image's.</summary>
    public string? HealthCmd { get; init; }
    public string? HealthInterval { get; init; }
    public string? HealthTimeout { get; init; }
    public string? HealthStartPeriod { get; init; }
    public string? HealthRetries { get; init; }
    public bool NoHealthcheck { get; init; }
    /// <summary><c>--landlock/--seccomp/--cap-add/--cap-drop/--sandbox</c>, checked by <see cref="Volt.Sandbox.SandboxSpec.Parse"/> (null: default).</summary>
    public Volt.Sandbox.SandboxSpec? Sandbox { get; init; }
}
