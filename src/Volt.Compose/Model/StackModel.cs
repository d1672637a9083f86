using Volt.Workloads.Model;

namespace Volt.Compose.Model;

/// <summary>Where a definition was read: file, 1-based line and column (for exit-12 messages after merging).</summary>
public sealed record SourcePos(string File, long Line, long Column)
{
    public override string ToString() => $"{File} line {Line}, column {Column}";
}

/// <summary>
/// The one desired-state model every source parses into (a Constellation, compose-spec files, a GitOps manifest):
/// workloads of any kind, the networks, volumes, configs and secrets they use, and their dependencies. Names are the
/// file's names (not yet prefixed by the stack); relative paths are already absolute.
/// </summary>
public sealed class StackModel
{
    /// <summary>The stack name (<c>-p</c>, the file's <c>name:</c>, or the project directory's name).</summary>
    public string Name { get; set; } = "";
    /// <summary>The directory relative paths were resolved against (the first file's directory).</summary>
    public string ProjectDir { get; set; } = "";
    /// <summary>The files read, in order (includes and extends not counted).</summary>
    public List<string> Files { get; set; } = [];
    /// <summary>"constellation" or "compose".</summary>
    public string Format { get; set; } = "compose";
    public string? Description { get; set; }
    public SortedDictionary<string, WorkloadSpec> Workloads { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, NetworkSpec> Networks { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, VolumeSpec> Volumes { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, FileObjectSpec> Configs { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, FileObjectSpec> Secrets { get; } = new(StringComparer.Ordinal);
    /// <summary>Workloads left out by <c>profiles:</c> that are not enabled (kept for <c>down</c> to find).</summary>
    public SortedSet<string> Disabled { get; } = new(StringComparer.Ordinal);
}

/// <summary>One workload of a stack: a compose service / Constellation container, service, task or VM.</summary>
public sealed class WorkloadSpec
{
    public string Name { get; set; } = "";
    public WorkloadKind Kind { get; set; } = WorkloadKind.Container;
    public SourcePos? Pos { get; set; }
    public string? Image { get; set; }
    public BuildSpec? Build { get; set; }
    /// <summary>null = the image's default; a string form is already split as compose does (shell words).</summary>
    public List<string>? Command { get; set; }
    public List<string>? Entrypoint { get; set; }
    /// <summary>Value null = taken from the environment at run time (and left out if unset there).</summary>
    public SortedDictionary<string, string?> Environment { get; set; } = new(StringComparer.Ordinal);
    public List<EnvFileRef> EnvFiles { get; set; } = [];
    public List<PortSpec> Ports { get; set; } = [];
    public List<string> Expose { get; set; } = [];
    public List<MountSpec> Volumes { get; set; } = [];
    public List<FileMountSpec> Configs { get; set; } = [];
    public List<FileMountSpec> Secrets { get; set; } = [];
    /// <summary>Network name → per-network settings. Empty = the stack's <c>default</c> network.</summary>
    public SortedDictionary<string, ServiceNetwork> Networks { get; set; } = new(StringComparer.Ordinal);
    public string? NetworkMode { get; set; }
    public SortedDictionary<string, DependencySpec> DependsOn { get; set; } = new(StringComparer.Ordinal);
    public HealthcheckSpec? Healthcheck { get; set; }
    public string? Restart { get; set; }
    public string? WorkingDir { get; set; }
    public string? User { get; set; }
    public string? Hostname { get; set; }
    public string? ContainerName { get; set; }
    public SortedDictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);
    public string? StopSignal { get; set; }
    public TimeSpan? StopGracePeriod { get; set; }
    public List<string> Profiles { get; set; } = [];
    public bool? Init { get; set; }
    public bool? ReadOnly { get; set; }
    public DeploySpec Deploy { get; set; } = new();
    /// <summary><c>cap_add</c>, <c>cap_drop</c>, <c>security_opt</c>, <c>x-volt-sandbox</c>: the sandbox (checked by Volt.Sandbox when created).</summary>
    public List<string> CapAdd { get; set; } = [];
    public List<string> CapDrop { get; set; } = [];
    public List<string> SecurityOpt { get; set; } = [];
    public SortedDictionary<string, string> Sandbox { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Constellation <c>tasks:</c>: the calendar event; <c>vms:</c>: cpus and memory.</summary>
    public string? Schedule { get; set; }
    public int? VmCpus { get; set; }
    public string? VmMemory { get; set; }
    /// <summary><c>vms:</c>: the kernel profile (<c>volt kernel add PROFILE</c>); null: the VM engine's default.</summary>
    public string? VmKernel { get; set; }
    public string? Description { get; set; }
}

public sealed record BuildSpec(string Context, string? Dockerfile, string? Target, IReadOnlyDictionary<string, string?> Args);

public sealed record EnvFileRef(string Path, bool Required);

/// <summary>One published port (ranges already expanded). <see cref="Published"/> null = not published on the host.</summary>
public sealed record PortSpec(int Target, int? Published, string Protocol, string? HostIp, string Mode = "ingress");

/// <summary>A mount: <c>bind</c> (Source a host path), <c>volume</c> (Source a stack volume; null = anonymous) or <c>tmpfs</c>;
/// <c>tmpfs</c> mounts take <see cref="TmpfsSize"/> (bytes) and <see cref="TmpfsMode"/> (octal, e.g. <c>1777</c>).</summary>
public sealed record MountSpec(string Type, string? Source, string Target, bool ReadOnly, bool CreateHostPath = true, long? TmpfsSize = null, string? TmpfsMode = null);

/// <summary>A config or secret in a service: which one and where (null target = the default place).</summary>
public sealed record FileMountSpec(string Source, string? Target, string? Mode = null);

/// <summary>A service's settings on one network; <see cref="Ipv4Pos"/> is where <c>ipv4_address</c> was written.</summary>
public sealed record ServiceNetwork(IReadOnlyList<string> Aliases, string? Ipv4Address, int? Priority = null, SourcePos? Ipv4Pos = null);

public enum DependencyCondition { ServiceStarted, ServiceHealthy, ServiceCompletedSuccessfully }

public sealed record DependencySpec(DependencyCondition Condition, bool Restart, bool Required, SourcePos? Pos);

/// <summary>A health check: Test is <c>["CMD", …]</c>, <c>["CMD-SHELL", s]</c> or <c>["NONE"]</c> (disabled).</summary>
public sealed class HealthcheckSpec
{
    public List<string>? Test { get; set; }
    public TimeSpan? Interval { get; set; }
    public TimeSpan? Timeout { get; set; }
    public TimeSpan? StartPeriod { get; set; }
    public TimeSpan? StartInterval { get; set; }
    public int? Retries { get; set; }
    public bool Disable { get; set; }
    public bool Disabled => Disable || Test is ["NONE", ..];
}

public sealed class DeploySpec
{
    public int? Replicas { get; set; }
    public double? Cpus { get; set; }
    public long? MemoryBytes { get; set; }
    public int? Pids { get; set; }
    /// <summary><c>stop-first</c> (recreate, the default) or <c>start-first</c>.</summary>
    public string? UpdateOrder { get; set; }
    public string? RestartCondition { get; set; }
    public int? RestartMaxAttempts { get; set; }
}

public sealed class NetworkSpec
{
    public string Name { get; set; } = "";
    public SourcePos? Pos { get; set; }
    public string? Driver { get; set; }
    public bool External { get; set; }
    /// <summary>The real network name when <c>name:</c> is given (external networks keep theirs).</summary>
    public string? ExternalName { get; set; }
    public string? Subnet { get; set; }
    public bool Internal { get; set; }
    public SortedDictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);
}

public sealed class VolumeSpec
{
    public string Name { get; set; } = "";
    public SourcePos? Pos { get; set; }
    public string? Driver { get; set; }
    public bool External { get; set; }
    public string? ExternalName { get; set; }
    public SortedDictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A top-level config or secret: a file, an environment variable, or (configs) inline content.</summary>
public sealed class FileObjectSpec
{
    public string Name { get; set; } = "";
    public SourcePos? Pos { get; set; }
    public string? File { get; set; }
    public string? Environment { get; set; }
    public string? Content { get; set; }
    public bool External { get; set; }
    public string? ExternalName { get; set; }
}
