using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Processes;
using Volt.Vms.Qemu;

namespace Volt.Vms.Machines;

/// <summary>
/// One snapshot: <c>snapshots/&lt;snap&gt;.qcow2</c> (a copy of the VM's overlay, same backing file) and, for a memory
/// snapshot, <c>&lt;snap&gt;.vmstate</c> (QEMU's migration stream: RAM, CPU and device state).
/// </summary>
public sealed record SnapshotInfo(string Name, string File, long Bytes, DateTimeOffset CreatedAt, bool Memory = false, long MemoryBytes = 0);

/// <summary>What a memory snapshot was taken with: a restore needs the same machine (QEMU refuses another shape).</summary>
public sealed record SnapshotMeta
{
    public int Cpus { get; init; }
    public long MemoryMiB { get; init; }
    public string? Kernel { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// Snapshots of a VM. Disk snapshots (a stopped VM): the overlay (small: only what the VM changed over its image's
/// base) copied to <c>snapshots/&lt;snap&gt;.qcow2</c> and back; both keep pointing at the shared base. A running VM is
/// refused (exit 9): its overlay is changing under QEMU. Memory snapshots (<c>--memory</c>, a running VM): QMP
/// <c>migrate</c> to <c>exec:cat &gt; snapshots/&lt;snap&gt;.vmstate</c> — the guest keeps running while its RAM is copied
/// and stops only for the last pass, QEMU then flushes and releases the disk, the overlay is copied beside it, and
/// <c>cont</c> resumes the guest. Restore puts the overlay back and leaves an <c>incoming</c> note: the next start of
/// the VM runs QEMU with <c>-incoming exec:cat …vmstate</c>, so the guest resumes where it was instead of booting.
/// </summary>
public sealed partial class VmSnapshots(VmStore store, IProcessRunner processes)
{
    [GeneratedRegex(@"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}\z")]
    private static partial Regex NamePattern();

    /// <summary>How long a memory snapshot's migration may take (QEMU's RAM to a local file).</summary>
    public TimeSpan MigrateTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public string File(string vm, string snap) => Path.Combine(store.Snapshots(vm), snap + ".qcow2");
    public string StateFile(string vm, string snap) => Path.Combine(store.Snapshots(vm), snap + ".vmstate");
    public string MetaFile(string vm, string snap) => Path.Combine(store.Snapshots(vm), snap + ".json");

    /// <summary>The note a memory restore leaves for the VM's next start: the .vmstate to resume from.</summary>
    public static string IncomingNote(VmStore store, string vm) => Path.Combine(store.Dir(vm), "incoming");

    public IReadOnlyList<SnapshotInfo> List(string vm)
    {
        store.EnsureExists(vm);
        var dir = store.Snapshots(vm);
        if (!Directory.Exists(dir)) return [];
        return [.. Directory.EnumerateFiles(dir, "*.qcow2").Order(StringComparer.Ordinal).Select(f => new FileInfo(f)).Select(f =>
        {
            var name = Path.GetFileNameWithoutExtension(f.Name);
            var state = new FileInfo(StateFile(vm, name));
            return new SnapshotInfo(name, f.FullName, f.Length, f.LastWriteTimeUtc, state.Exists, state.Exists ? state.Length : 0);
        })];
    }

    public SnapshotInfo Get(string vm, string snap)
    {
        Existing(vm, snap);
        return List(vm).Single(s => s.Name == snap);
    }

    public async Task<SnapshotInfo> CreateAsync(string vm, string snap, Func<string, bool> running, CancellationToken ct = default)
    {
        Validate(snap);
        store.EnsureExists(vm);
        if (running(vm)) throw VoltException.Conflict($"VM \"{vm}\" is running: stop it before a disk snapshot (or take one with --memory)");
        var target = New(vm, snap);
        await CopyAsync(store.Disk(vm), target, ct).ConfigureAwait(false);
        return Get(vm, snap);
    }

    /// <summary>A memory snapshot of a running VM (RAM, CPU and devices through QMP migrate, and its disk).</summary>
    public async Task<SnapshotInfo> CreateWithMemoryAsync(string vm, string snap, Func<string, bool> running, CancellationToken ct = default)
    {
        Validate(snap);
        store.EnsureExists(vm);
        if (!running(vm)) throw VoltException.Conflict($"VM \"{vm}\" is not running: a memory snapshot needs a running guest (without --memory: a disk snapshot)");
        var config = store.Config(vm);
        var state = store.State(vm);
        if (state.HotCpus > 0)
            throw VoltException.Conflict($"VM \"{vm}\" runs {state.HotCpus} hotplugged vCPU(s): a memory snapshot of it could not be restored (QEMU would start without them); volt vm restart {vm} first");
        if (state.CpusHotplugged)
            throw VoltException.Conflict($"VM \"{vm}\" had vCPUs hotplugged and removed since it started: QEMU cannot save that guest's memory (it dies trying); volt vm restart {vm} first");
        var target = New(vm, snap);
        var vmstate = StateFile(vm, snap);
        var tmpState = vmstate + ".tmp";
        await using var qmp = await QmpClient.ConnectAsync(store.QmpSocket(vm), ct: ct).ConfigureAwait(false);
        var resumed = false;
        try
        {
            // QEMU 7.2 caps migration at 32 MiB/s by default: a local file takes what the disk gives.
            await qmp.ExecuteAsync("migrate-set-parameters", new JsonObject { ["max-bandwidth"] = 8L << 30 }, ct).ConfigureAwait(false);
            await qmp.ExecuteAsync("migrate", new JsonObject { ["uri"] = "exec:cat > " + ShellQuote(tmpState) }, ct).ConfigureAwait(false);
            await WaitMigratedAsync(qmp, vm, ct).ConfigureAwait(false);
            // The guest is stopped (postmigrate) and QEMU has flushed and released the disk: copy it as it is now.
            await CopyAsync(store.Disk(vm), target, ct).ConfigureAwait(false);
            System.IO.File.Move(tmpState, vmstate, overwrite: true);
            AtomicFile.WriteAllBytes(MetaFile(vm, snap), JsonSerializer.SerializeToUtf8Bytes(new SnapshotMeta
            {
                Cpus = state.RunningCpus ?? config.Cpus, MemoryMiB = state.RunningMemoryMiB ?? config.MemoryMiB, Kernel = config.Kernel,
                CreatedAt = DateTimeOffset.UtcNow,
            }, VmJson.Default.SnapshotMeta));
            await qmp.ExecuteAsync("cont", null, CancellationToken.None).ConfigureAwait(false);
            resumed = true;
        }
        finally
        {
            if (!resumed)
            {
                try { await qmp.ExecuteAsync("migrate_cancel", null, CancellationToken.None).ConfigureAwait(false); } catch (Exception e) when (e is VoltException or IOException) { }
                try { await qmp.ExecuteAsync("cont", null, CancellationToken.None).ConfigureAwait(false); } catch (Exception e) when (e is VoltException or IOException) { }
                AtomicFile.TryDelete(tmpState);
                AtomicFile.TryDelete(target);
                AtomicFile.TryDelete(vmstate);
                AtomicFile.TryDelete(MetaFile(vm, snap));
            }
        }
        return Get(vm, snap);
    }

    private async Task WaitMigratedAsync(QmpClient qmp, string vm, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + MigrateTimeout;
        while (true)
        {
            var info = await qmp.ExecuteAsync("query-migrate", null, ct).ConfigureAwait(false);
            var status = info?["status"]?.GetValue<string>() ?? "none";
            if (status == "completed") return;
            if (status is "failed" or "cancelled")
                throw new VoltException(ExitCode.General, $"VM \"{vm}\": saving its memory failed: {info?["error-desc"]?.GetValue<string>() ?? status}");
            if (DateTime.UtcNow > deadline)
                throw new VoltException(ExitCode.Timeout, $"VM \"{vm}\": saving its memory did not finish within {MigrateTimeout.TotalSeconds:0}s (migration {status})");
            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Puts the disk back; for a memory snapshot also leaves the incoming note (the next start resumes the saved guest).
    /// The VM must be stopped (the caller stops a running one first). A memory snapshot of another machine shape (vCPUs,
    /// memory, kernel changed by update since) is refused (exit 9): QEMU cannot load it.
    /// </summary>
    public async Task<SnapshotInfo> RestoreAsync(string vm, string snap, Func<string, bool> running, CancellationToken ct = default)
    {
        var source = Existing(vm, snap);
        if (running(vm)) throw VoltException.Conflict($"VM \"{vm}\" is running: stop it before restoring a snapshot");
        var info = Get(vm, snap);
        if (info.Memory)
        {
            var meta = Meta(vm, snap);
            var c = store.Config(vm);
            if (meta.Cpus != c.Cpus || meta.MemoryMiB != c.MemoryMiB || meta.Kernel != c.Kernel)
                throw VoltException.Conflict(string.Create(CultureInfo.InvariantCulture,
                    $"snapshot \"{snap}\" holds a guest of {meta.Cpus} vCPU(s), {meta.MemoryMiB}M, kernel {meta.Kernel ?? "(disk)"}; VM \"{vm}\" is now {c.Cpus}, {c.MemoryMiB}M, {c.Kernel ?? "(disk)"}: volt vm update it back first"));
        }
        await CopyAsync(source, store.Disk(vm), ct).ConfigureAwait(false);
        var note = IncomingNote(store, vm);
        if (info.Memory) AtomicFile.WriteAllText(note, StateFile(vm, snap));
        else AtomicFile.TryDelete(note);
        return info;
    }

    public void Delete(string vm, string snap)
    {
        var f = Existing(vm, snap);
        var note = IncomingNote(store, vm);
        if (System.IO.File.Exists(note) && System.IO.File.ReadAllText(note).Trim() == StateFile(vm, snap))
            throw VoltException.Conflict($"snapshot \"{snap}\" is the state VM \"{vm}\" resumes from at its next start: start it first");
        System.IO.File.Delete(f);
        AtomicFile.TryDelete(StateFile(vm, snap));
        AtomicFile.TryDelete(MetaFile(vm, snap));
    }

    /// <summary>The <c>-incoming</c> of the VM's next start (and the note taken), or null for a plain boot.</summary>
    public static string? TakeIncoming(VmStore store, string vm)
    {
        var note = IncomingNote(store, vm);
        if (!System.IO.File.Exists(note)) return null;
        var state = System.IO.File.ReadAllText(note).Trim();
        AtomicFile.TryDelete(note);
        return System.IO.File.Exists(state) ? "exec:cat " + ShellQuote(state) : null;
    }

    private SnapshotMeta Meta(string vm, string snap)
    {
        try { return JsonSerializer.Deserialize(System.IO.File.ReadAllBytes(MetaFile(vm, snap)), VmJson.Default.SnapshotMeta)!; }
        catch (Exception e) when (e is IOException or JsonException) { throw new VoltException(ExitCode.InvalidConfig, $"{MetaFile(vm, snap)}: {e.Message}", e); }
    }

    private string New(string vm, string snap)
    {
        var target = File(vm, snap);
        if (System.IO.File.Exists(target)) throw VoltException.Exists($"snapshot \"{snap}\" of VM \"{vm}\" already exists");
        Directory.CreateDirectory(store.Snapshots(vm));
        return target;
    }

    private string Existing(string vm, string snap)
    {
        Validate(snap);
        store.EnsureExists(vm);
        var f = File(vm, snap);
        return System.IO.File.Exists(f) ? f : throw VoltException.NotFound($"snapshot \"{snap}\" of VM \"{vm}\" not found");
    }

    private static void Validate(string snap)
    {
        if (!NamePattern().IsMatch(snap)) throw VoltException.Usage($"invalid snapshot name \"{snap}\": 1-63 of a-z A-Z 0-9 _ . -");
    }

    private static string ShellQuote(string path) => "'" + path.Replace("'", "'\\''") + "'";

    /// <summary>A sparse copy to a temporary name, then a rename: the target is never half-written.</summary>
    private async Task CopyAsync(string from, string to, CancellationToken ct)
    {
        var tmp = to + ".tmp";
        var r = await processes.RunAsync("cp", ["--sparse=always", "--reflink=auto", from, tmp], new ProcessOptions { Timeout = TimeSpan.FromMinutes(10) }, ct).ConfigureAwait(false);
        if (!r.Success) { AtomicFile.TryDelete(tmp); throw new VoltException(ExitCode.General, $"copying {from}: {r.StdErr.Trim()}"); }
        System.IO.File.Move(tmp, to, overwrite: true);
    }
}
