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
    /// <summary>tmpfs mounts, <c>/PATH[:OPTIONS]</c> (nspawn's <c>--tmpfs</c>); a getter with a fallback as below.</summary>
    private readonly IReadOnlyList<string>? _tmpfs;
    public IReadOnlyList<string> Tmpfs { get => _tmpfs ?? []; init => _tmpfs = value; }
    public IReadOnlyList<string> Publish { get; init; } = [];
    /// <summary>Network name; null = none (a private network namespace with only loopback).</summary>
    public string? Network { get; init; }
    /// <summary>Networks after the first, attached in order after it (eth1, eth2…).</summary>
    // A getter with a fallback: the source-generated reader assigns null when a config from before this field lacks it.
    private readonly IReadOnlyList<string>? _extraNetworks;
    public IReadOnlyList<string> ExtraNetworks { get => _extraNetworks ?? []; init => _extraNetworks = value; }
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
    /// <summary>Landlock, seccomp, capabilities, mode (null: the default sandbox; see docs/sandbox.md).</summary>
    public Volt.Sandbox.SandboxSpec? Sandbox { get; init; }
    public DateTimeOffset Created { get; init; }
}

[JsonConverter(typeof(UserNamespaceJson))]
public enum UserNamespace
{
    [JsonStringEnumMemberName("host")] Host,
    [JsonStringEnumMemberName("private")] Private,
}

/// <summary>A bind mount: host path → container path.</summary>
public sealed record VolumeMount(string Host, string Container, bool ReadOnly);

[JsonConverter(typeof(RestartPolicyJson))]
public enum RestartPolicy
{
    [JsonStringEnumMemberName("no")] No,
    [JsonStringEnumMemberName("on-failure")] OnFailure,
    [JsonStringEnumMemberName("always")] Always,
}

/// <summary><see cref="UserNamespace"/>'s words in JSON, without the stock converter's first-use reflection.</summary>
public sealed class UserNamespaceJson() : Volt.Core.Json.WordEnumConverter<UserNamespace>((UserNamespace.Host, "host"), (UserNamespace.Private, "private"));

/// <summary><see cref="RestartPolicy"/>'s words in JSON, without the stock converter's first-use reflection.</summary>
public sealed class RestartPolicyJson() : Volt.Core.Json.WordEnumConverter<RestartPolicy>((RestartPolicy.No, "no"), (RestartPolicy.OnFailure, "on-failure"), (RestartPolicy.Always, "always"));
