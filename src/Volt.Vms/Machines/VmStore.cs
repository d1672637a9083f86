using System.Text.Json;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Paths;

namespace Volt.Vms.Machines;

/// <summary>
/// VM records on disk:
/// <code>
/// /var/lib/volt/vms/&lt;name&gt;/config.json          VmConfig
/// /var/lib/volt/vms/&lt;name&gt;/state.json           VmState
/// /var/lib/volt/vms/&lt;name&gt;/disk.qcow2           the VM's overlay (backing: the image's base or the user's disk)
/// /var/lib/volt/vms/&lt;name&gt;/seed.iso             NoCloud cloud-init seed (when asked)
/// /var/lib/volt/vms/&lt;name&gt;/snapshots/&lt;snap&gt;.qcow2 (+ .vmstate and .json with --memory)
/// /var/lib/volt/vms/&lt;name&gt;/serial.log           everything the guest wrote on its serial console
/// /var/run/volt/vms/&lt;name&gt;/{qmp,console,agent}.sock
/// /var/lib/volt/units/volt-vm@&lt;name&gt;.service      the unit (rendered at each start: accelerator, TAP)
/// /var/log/volt/workloads/vms/&lt;name&gt;.log         QEMU's own output (stamped, as services)
/// cgroup: &lt;volt parent&gt;/vm@&lt;name&gt;
/// </code>
/// </summary>
public sealed class VmStore(VoltPaths paths)
{
    public VoltPaths Paths => paths;
    public string Root => paths.Vms;
    public string Dir(string name) => Path.Combine(Root, name);
    public string ConfigFile(string name) => Path.Combine(Dir(name), "config.json");
    public string StateFile(string name) => Path.Combine(Dir(name), "state.json");
    public string Disk(string name) => Path.Combine(Dir(name), "disk.qcow2");
    public string Seed(string name) => Path.Combine(Dir(name), "seed.iso");
    public string Snapshots(string name) => Path.Combine(Dir(name), "snapshots");
    public string SerialLog(string name) => Path.Combine(Dir(name), "serial.log");
    /// <summary>The sockets' directory; a relocated root too deep for a unix socket path (108 bytes) uses /tmp/volt-vm-HASH.</summary>
    public string RunDir(string name)
    {
        var dir = Path.Combine(paths.Run, "vms", name);
        return dir.Length + "/console.sock".Length < 100 ? dir
            : Path.Combine(Path.GetTempPath(), "volt-vm-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(dir)))[..16]);
    }
    public string QmpSocket(string name) => Path.Combine(RunDir(name), "qmp.sock");
    public string ConsoleSocket(string name) => Path.Combine(RunDir(name), "console.sock");
    public string AgentSocket(string name) => Path.Combine(RunDir(name), "agent.sock");
    public string UnitFile(string name) => Path.Combine(paths.Units, VmName.UnitName(name));
    public string LogFile(string name) => Path.Combine(paths.Log, "workloads", "vms", name + ".log");
    public string LockFile(string name) => Path.Combine(paths.Locks, $"vm-{name}.lock");
    public static string CgroupName(string name) => "vm@" + name;

    public bool Exists(string name) => File.Exists(ConfigFile(name));

    public void EnsureExists(string name)
    {
        if (!Exists(name)) throw VoltException.NotFound($"VM \"{name}\" not found");
    }

    public FileLock Lock(string name)
    {
        Directory.CreateDirectory(paths.Locks);
        return FileLock.Exclusive(LockFile(name));
    }

    public IReadOnlyList<string> Names() => !Directory.Exists(Root) ? []
        : [.. Directory.EnumerateDirectories(Root).Select(d => Path.GetFileName(d)!).Where(Exists).Order(StringComparer.Ordinal)];

    public VmConfig Config(string name)
    {
        EnsureExists(name);
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(ConfigFile(name)), VmJson.Default.VmConfig)!; }
        catch (JsonException e) { throw new VoltException(ExitCode.InvalidConfig, $"{ConfigFile(name)}: {e.Message}", e); }
    }

    public void SaveConfig(VmConfig config)
    {
        Directory.CreateDirectory(Dir(config.Name));
        AtomicFile.WriteAllBytes(ConfigFile(config.Name), JsonSerializer.SerializeToUtf8Bytes(config, VmJson.Default.VmConfig));
    }

    public VmState State(string name)
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(StateFile(name)), VmJson.Default.VmState) ?? new VmState(); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return new VmState(); }
        catch (JsonException e) { throw new VoltException(ExitCode.General, $"Failed reading {StateFile(name)}: {e.Message}", e); }
    }

    public void SaveState(string name, VmState state)
    {
        if (!Directory.Exists(Dir(name))) return; // deleted meanwhile
        AtomicFile.WriteAllBytes(StateFile(name), JsonSerializer.SerializeToUtf8Bytes(state, VmJson.Default.VmState));
    }

    public void Delete(string name)
    {
        AtomicFile.TryDelete(UnitFile(name));
        AtomicFile.TryDelete(LogFile(name));
        if (Directory.Exists(RunDir(name))) Directory.Delete(RunDir(name), recursive: true);
        if (Directory.Exists(Dir(name))) Directory.Delete(Dir(name), recursive: true);
    }
}
