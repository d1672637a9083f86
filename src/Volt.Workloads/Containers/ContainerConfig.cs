using System.Text.Json.Serialization;

namespace Volt.Workloads.Containers;

/// <summary>
/// <c>config.json</c>: what the user asked for; written at create (and by <c>update</c>), never by the supervisor.
/// </summary>
public sealed record ContainerConfig
{
    public required string Name { get; init; }
    /// <summary>What the user named: an image reference or a rootfs directory.</summary>
    public required string Image { get; init; }
    /// <summary>How the rootfs was made (<c>dir</c>, <c>image</c>) and from what, for the provider that releases it.</summary>
    public string RootfsKind { get; init; } = "dir";
    public string? RootfsSource { get; init; }
    public IReadOnlyList<string> Command { get; init; } = [];
    public IReadOnlyList<string> Env { get; init; } = [];
    public IReadOnlyList<VolumeMount> Volumes { get; init; } = [];
    public IReadOnlyList<string> Publish { get; init; } = [];
    /// <summary>Network name; null = none (a private network namespace with only loopback).</summary>
    public string? Network { get; init; }
    public long? MemoryBytes { get; init; }
    public int? CpuPercent { get; init; }
    public int? Pids { get; init; }
    public RestartPolicy Restart { get; init; } = RestartPolicy.No;
    public string? Workdir { get; init; }
    public string? User { get; init; }
    /// <summary>Run the command as PID 1 (it is an init) instead of under nspawn's stub init (<c>--as-pid2</c>).</summary>
    public bool Init { get; init; }
    public bool AutoRemove { get; init; }
    /// <summary>User namespace: <c>host</c> (default, as rootful podman/docker) or <c>private</c> (nspawn picks a UID range).</summary>
    public UserNamespace Userns { get; init; } = UserNamespace.Host;
    /// <summary>The health check the supervisor runs inside the container (null: none).</summary>
    public Health.HealthcheckConfig? Healthcheck { get; init; }
    public DateTimeOffset Created { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<UserNamespace>))]
public enum UserNamespace
{
    [JsonStringEnumMemberName("host")] Host,
    [JsonStringEnumMemberName("private")] Private,
}

/// <summary>A bind mount: host path → container path.</summary>
public sealed record VolumeMount(string Host, string Container, bool ReadOnly);

[JsonConverter(typeof(JsonStringEnumConverter<RestartPolicy>))]
public enum RestartPolicy
{
    [JsonStringEnumMemberName("no")] No,
    [JsonStringEnumMemberName("on-failure")] OnFailure,
    [JsonStringEnumMemberName("always")] Always,
}
