using System.Text.Json;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Paths;
using Volt.Workloads.Model;

namespace Volt.Workloads.Containers;

/// <summary>
/// Container records on disk (seed layout). Every write is atomic; lifecycle changes hold the container's lock.
/// <code>
/// /var/lib/volt/containers/&lt;name&gt;/
///   config.json      ContainerConfig (what was asked), without its environment: world-readable for the views
///   &lt;name&gt;.nspawn    the environment (-e values, secrets), mode 0600, read by systemd-nspawn itself (NspawnSettings)
///   state.json       ContainerState  (what is: status, pid, ip, times, exit code, restart back-off)
///   health.json      HealthState     (health check status, failing streak, last results)
///   rootfs/          the container's root (an overlay mount for directory and image sources)
///   upper/ work/     overlay upper and work dirs (directory source)
/// /var/lib/volt/units/volt-container@&lt;name&gt;.service   the rendered unit
/// /var/log/volt/workloads/&lt;name&gt;.log                  stdout+stderr under voltd
/// /var/run/volt/locks/container-&lt;name&gt;.lock            flock serialising lifecycle changes
/// </code>
/// </summary>
public sealed class ContainerStore(VoltPaths paths)
{
    public VoltPaths Paths => paths;

    public string Dir(string name) => Path.Combine(paths.Containers, name);
    public string ConfigFile(string name) => Path.Combine(Dir(name), "config.json");
    /// <summary>nspawn's settings file for the container (<c>-M NAME</c> beside <c>rootfs/</c>): its environment, 0600.</summary>
    public string SettingsFile(string name) => Path.Combine(Dir(name), Nspawn.NspawnSettings.FileName(name));
    public string StateFile(string name) => Path.Combine(Dir(name), "state.json");
    public string HealthFile(string name) => Path.Combine(Dir(name), "health.json");
    public string HealthLockFile(string name) => Path.Combine(paths.Locks, $"health-{name}.lock");
    public string Rootfs(string name) => Path.Combine(Dir(name), "rootfs");
    public string UnitFile(string name) => Path.Combine(paths.Units, Nspawn.UnitRenderer.UnitName(name));
    public string LogFile(string name) => Path.Combine(paths.Log, "workloads", name + ".log");
    public string LockFile(string name) => Path.Combine(paths.Locks, $"container-{name}.lock");

    public bool Exists(string name) => Directory.Exists(Dir(name));

    public FileLock Lock(string name) => FileLock.Exclusive(LockFile(name));

    /// <summary>The container's lock for code that awaits while holding it (<see cref="FileLock.ExclusiveAsync"/>).</summary>
    public Task<FileLock> LockAsync(string name, CancellationToken ct = default) => FileLock.ExclusiveAsync(LockFile(name), ct);

    /// <summary>Every container directory, sorted by name (including half-created ones).</summary>
    public IReadOnlyList<string> Names()
    {
        if (!Directory.Exists(paths.Containers)) return [];
        return [.. Directory.GetDirectories(paths.Containers).Select(Path.GetFileName).OfType<string>()
            .Where(ContainerName.IsValid).Order(StringComparer.Ordinal)];
    }

    public void EnsureExists(string name)
    {
        ContainerName.Validate(name);
        if (!Exists(name)) throw VoltException.NotFound($"container \"{name}\" not found");
    }

    /// <summary>
    /// config.json with the environment from the 0600 settings file. A caller who may not read that file (not root) gets
    /// the config without its environment; a record from before the split keeps the environment config.json holds.
    /// </summary>
    public ContainerConfig? TryConfig(string name)
    {
        var config = Read(ConfigFile(name), ContainerJson.Default.ContainerConfig);
        if (config is null) return null;
        try { return config with { Env = Nspawn.NspawnSettings.ParseEnv(File.ReadAllText(SettingsFile(name))) }; }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return config; }
        catch (UnauthorizedAccessException) { return config with { Env = [] }; }
    }

    private static readonly UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The settings file (0600) with the config's environment and what the launcher adds (a switched user's HOME).</summary>
    public void SaveSettings(ContainerConfig config, IReadOnlyList<string>? launch = null, bool durable = true) =>
        AtomicFile.WriteAllBytes(SettingsFile(config.Name), System.Text.Encoding.UTF8.GetBytes(Nspawn.NspawnSettings.Render(config.Env, launch)), durable, Private);

    public ContainerConfig Config(string name) =>
        TryConfig(name) ?? throw VoltException.NotFound($"container \"{name}\" has no config.json (interrupted create? run: volt container delete {name})");

    public ContainerState State(string name) => Read(StateFile(name), ContainerJson.Default.ContainerState) ?? new ContainerState();

    /// <summary>
    /// The state.json fields a listing shows — status, pid, ip, started_at, restart (the schedule), creator_pid — read
    /// without the serializer (<see cref="RecordFields"/>); every other field is left at its default. For views
    /// only: a state to change and save back is <see cref="State"/>.
    /// </summary>
    public ContainerState ListingState(string name) => RecordFields.Read(StateFile(name), s => new ContainerState
    {
        Status = s.Enum("status", ContainerStatuses.Table, ContainerStatus.Creating),
        Pid = s.Int("pid"),
        Ip = s.String("ip"),
        StartedAt = s.Time("started_at"),
        Restart = s.Restart("restart"),
        CreatorPid = s.Int("creator_pid"),
    }) ?? new ContainerState();

    /// <summary>
    /// What a listing shows of config.json: the image, and whether the container has a health check. Null when there is
    /// no config (an interrupted create). The settings file (the environment) is not read.
    /// </summary>
    public (string Image, bool Healthcheck)? ListingConfig(string name) => RecordFields.Read<(string, bool)?>(ConfigFile(name),
        c => (c.String("image") ?? throw new InvalidOperationException("the required member \"image\" is missing"), c.Has("healthcheck", out _)));

    /// <summary>health.json's status and the run it belongs to (started_at); null when no check has run yet.</summary>
    public Volt.Workloads.Health.HealthState? ListingHealth(string name) => RecordFields.Read(HealthFile(name), h => new Volt.Workloads.Health.HealthState
    {
        Status = h.Enum("status", Volt.Workloads.Health.HealthStatuses.Table, Volt.Workloads.Health.HealthStatus.Starting),
        StartedAt = h.Time("started_at"),
    });

    /// <summary>The last health check results; null when no check has run yet.</summary>
    public Health.HealthState? Health(string name) => Read(HealthFile(name), ContainerJson.Default.HealthState);

    public void Save(string name, Health.HealthState health) =>
        AtomicFile.WriteAllBytes(HealthFile(name), JsonSerializer.SerializeToUtf8Bytes(health, ContainerJson.Default.HealthState));

    /// <summary>config.json's bytes (for a batch write: <see cref="AtomicFile.WriteAll"/>).</summary>
    /// <remarks>Without the environment: that goes to the 0600 settings file (<see cref="SaveSettings"/>), written first.</remarks>
    public byte[] Serialize(ContainerConfig config) => JsonSerializer.SerializeToUtf8Bytes(config with { Env = [] }, ContainerJson.Default.ContainerConfig);

    /// <summary>state.json's bytes (for a batch write).</summary>
    public byte[] Serialize(ContainerState state) => JsonSerializer.SerializeToUtf8Bytes(state, ContainerJson.Default.ContainerState);

    public void Save(ContainerConfig config)
    {
        SaveSettings(config);
        AtomicFile.WriteAllBytes(ConfigFile(config.Name), Serialize(config));
    }

    /// <param name="durable">False for a container whose records nobody reads after a crash (see <see cref="Durable"/>).</param>
    public void Save(string name, ContainerState state, bool durable = true) =>
        AtomicFile.WriteAllBytes(StateFile(name), JsonSerializer.SerializeToUtf8Bytes(state, ContainerJson.Default.ContainerState), durable);

    /// <summary>
    /// Whether a container's records are fsynced. A <c>--rm</c> container's are not (docs/decisions.md): after a crash
    /// there is nothing of it to resume, only to collect, and a record the crash left empty reads as absent (an
    /// interrupted create, which the orphan collector removes).
    /// </summary>
    public static bool Durable(ContainerConfig? config) => config is not { AutoRemove: true };

    /// <summary>
    /// A record, or null when the file is missing or is what a crash leaves of a write that was not fsynced (empty or
    /// NUL-filled: see <see cref="AtomicFile.IsTornRecord"/>).
    /// </summary>
    private static T? Read<T>(string file, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        try
        {
            var bytes = File.ReadAllBytes(file);
            return AtomicFile.IsTornRecord(bytes) ? null : JsonSerializer.Deserialize(bytes, type);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
        catch (JsonException e) { throw new VoltException(ExitCode.General, $"Failed reading {file}: {e.Message}", e); }
    }
}
