using System.Text.Json;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Paths;

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

    public ServiceState State(string name)
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(StateFile(name)), ServiceJson.Default.ServiceState) ?? new ServiceState(); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return new ServiceState(); }
        catch (JsonException e) { throw new VoltException(ExitCode.General, $"Failed reading {StateFile(name)}: {e.Message}", e); }
    }

    public void Save(string name, ServiceState state)
    {
        Directory.CreateDirectory(Dir(name));
        AtomicFile.WriteAllBytes(StateFile(name), JsonSerializer.SerializeToUtf8Bytes(state, ServiceJson.Default.ServiceState));
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
