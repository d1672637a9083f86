using System.Text.Json;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Paths;
using Volt.Workloads.Model;

namespace Volt.Workloads.Services;

/// <summary>
/// Service records on disk. The unit is the single truth of what a service is; the rest is what runs.
/// <code>
/// /var/lib/volt/units/&lt;name&gt;.service                 the unit (written by create/edit/install-service)
/// /var/lib/volt/services/&lt;name&gt;/state.json          ServiceState (status, pid + start time, times, exit, back-off)
/// /var/lib/volt/services/&lt;name&gt;/enabled             present: voltd starts the service when it starts
/// /var/lib/volt/services/&lt;name&gt;/user-switch         the uid/gid switch helper for User=/Group=
/// /var/log/volt/workloads/services/&lt;name&gt;.log       stdout+stderr under voltd (stamped lines, as containers)
/// /var/run/volt/locks/service-&lt;name&gt;.lock           flock serialising lifecycle changes
/// cgroup: &lt;volt parent&gt;/service@&lt;name&gt;              ('@' keeps it apart from container names)
/// </code>
/// </summary>
public sealed class ServiceStore(VoltPaths paths)
{
    public VoltPaths Paths => paths;

    public string Root => Path.Combine(paths.Lib, "services");
    public string Dir(string name) => Path.Combine(Root, name);
    public string UnitFile(string name) => Path.Combine(paths.Units, ServiceName.UnitName(name));
    public string StateFile(string name) => Path.Combine(Dir(name), "state.json");
    public string EnabledFile(string name) => Path.Combine(Dir(name), "enabled");
    public string HelperFile(string name) => Path.Combine(Dir(name), "user-switch");
    public string LogFile(string name) => Path.Combine(paths.Log, "workloads", "services", name + ".log");
    public string LockFile(string name) => Path.Combine(paths.Locks, $"service-{name}.lock");
    public static string CgroupName(string name) => "service@" + name;

    /// <summary>A service exists when its unit does.</summary>
    public bool Exists(string name) => File.Exists(UnitFile(name));

    public void EnsureExists(string name)
    {
        if (!Exists(name)) throw VoltException.NotFound($"service \"{name}\" not found (no {UnitFile(name)})");
    }

    public FileLock Lock(string name)
    {
        Directory.CreateDirectory(paths.Locks);
        return FileLock.Exclusive(LockFile(name));
    }

    /// <summary>Every service unit in the units directory, sorted (other kinds' units left out).</summary>
    public IReadOnlyList<string> Names()
    {
        if (!Directory.Exists(paths.Units)) return [];
        return [.. Directory.EnumerateFiles(paths.Units, "*" + ServiceName.Suffix)
            .Select(f => Path.GetFileName(f)[..^ServiceName.Suffix.Length])
            .Where(ServiceName.IsValid).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// state.json as the views read it (<see cref="ServiceDriver.Info"/>): every field but <c>error</c>, without the
    /// serializer (<see cref="RecordFields"/>). A state to change and save back is <see cref="State"/>.
    /// </summary>
    public ServiceState ListingState(string name) => RecordFields.Read(StateFile(name), s => new ServiceState
    {
        Status = s.Enum("status", WorkloadStatuses.Table, WorkloadStatus.Stopped),
        Pid = s.Int("pid"),
        PidStartTime = s.Long("pid_start_time"),
        Supervisor = s.String("supervisor"),
        StartedAt = s.Time("started_at"),
        FinishedAt = s.Time("finished_at"),
        ExitCode = s.Int("exit_code"),
        Restarts = s.Int("restarts") ?? 0,
        Restart = s.Restart("restart"),
        Unit = s.Has("unit", out var u) ? new ServiceUnitSummary
        {
            Stamp = u.String("stamp") ?? throw new InvalidOperationException("the required member \"stamp\" is missing"),
            Command = u.Strings("command"),
            MemoryMax = u.Long("memory_max"),
            CpuQuotaPercent = u.Int("cpu_quota_percent"),
            TasksMax = u.Int("tasks_max"),
        } : null,
    }) ?? new ServiceState();

    /// <summary>state.json; a missing one, or what a machine crash left of a write (empty or NUL-filled), is a fresh state.</summary>
    public ServiceState State(string name)
    {
        try
        {
            var bytes = File.ReadAllBytes(StateFile(name));
            return AtomicFile.IsTornRecord(bytes) ? new ServiceState() : JsonSerializer.Deserialize(bytes, ServiceJson.Default.ServiceState) ?? new ServiceState();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return new ServiceState(); }
        catch (JsonException e) { throw new VoltException(ExitCode.General, $"Failed reading {StateFile(name)}: {e.Message}", e); }
    }

    /// <summary>
    /// Writes state.json atomically (tmp + rename) but without fsync: it records processes, which a machine crash ends
    /// too, and the page cache outlives a voltd crash (docs/decisions.md "service records are not fsynced"). A write a
    /// machine crash tears reads as a fresh state.
    /// </summary>
    public void Save(string name, ServiceState state) =>
        AtomicFile.WriteAllBytes(StateFile(name), JsonSerializer.SerializeToUtf8Bytes(state, ServiceJson.Default.ServiceState), durable: false, unwatched: true);

    /// <summary>Parsed units of this store, cached by file identity (one parse per change of the unit).</summary>
    public ServiceUnits Units { get; } = new();

    /// <summary>The unit as it is on disk now and its stamp (exit 3 when missing, 12 when invalid).</summary>
    public (Volt.Units.ServiceUnit Unit, string Stamp) LoadUnit(string name) => Units.Load(UnitFile(name));

    /// <summary>Records the unit's summary in state.json (after create, edit, install), keeping the rest of the state.</summary>
    public void SaveSummary(string name, Volt.Units.ServiceUnit unit)
    {
        if (ServiceUnits.Stamp(UnitFile(name)) is { } stamp) Save(name, State(name) with { Unit = ServiceUnitSummary.Of(unit, stamp) });
    }

    /// <summary><c>services/NAME/sandbox-spec.json</c>: what create asked for (missing: the default sandbox).</summary>
    public string SandboxFile(string name) => Path.Combine(Dir(name), "sandbox-spec.json");

    public Volt.Sandbox.SandboxSpec Sandbox(string name)
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(SandboxFile(name)), Volt.Sandbox.SandboxJson.Default.SandboxSpec) ?? Volt.Sandbox.SandboxSpec.Default; }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return Volt.Sandbox.SandboxSpec.Default; }
        catch (JsonException e) { throw new VoltException(ExitCode.General, $"Failed reading {SandboxFile(name)}: {e.Message}", e); }
    }

    public void SaveSandbox(string name, Volt.Sandbox.SandboxSpec spec)
    {
        Directory.CreateDirectory(Dir(name));
        AtomicFile.WriteAllBytes(SandboxFile(name), JsonSerializer.SerializeToUtf8Bytes(spec, Volt.Sandbox.SandboxJson.Default.SandboxSpec));
    }

    public bool IsEnabled(string name) => File.Exists(EnabledFile(name));

    public void SetEnabled(string name, bool enabled)
    {
        if (enabled) { Directory.CreateDirectory(Dir(name)); AtomicFile.WriteAllText(EnabledFile(name), ""); }
        else AtomicFile.TryDelete(EnabledFile(name));
    }

    /// <summary>Removes the unit, the records and the log (delete; the caller stopped it first).</summary>
    public void Delete(string name)
    {
        AtomicFile.TryDelete(UnitFile(name));
        AtomicFile.TryDelete(LogFile(name));
        if (Directory.Exists(Dir(name))) Directory.Delete(Dir(name), recursive: true);
        AtomicFile.TryDelete(LockFile(name));
    }
}
