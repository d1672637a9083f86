using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Paths;
using Volt.Core.Processes;

namespace Volt.Vms.Machines;

/// <summary>One host setting <c>volt tune</c> changed: its file, the value before Volt's first change, and now.</summary>
public sealed record TuneEntry(string Key, string File, string Original, string Value, DateTimeOffset ChangedAt);

/// <summary><c>/var/lib/volt/tune.json</c>: every host setting Volt changed, so <c>volt tune reset</c> can put it back.</summary>
public sealed record TuneJournal
{
    public List<TuneEntry> Entries { get; init; } = [];
    /// <summary>The tuning profile last applied whole (<c>volt tune profile apply</c>), and when.</summary>
    public string? Profile { get; init; }
    public DateTimeOffset? ProfileAppliedAt { get; init; }
}

/// <summary>
/// <c>volt tune</c>: a VM's CPU pinning and NUMA node (kept in its config.json, applied by <c>taskset</c> at each start
/// and at once to a running QEMU's threads), hugepages and block I/O schedulers of the host (sysfs; the value before
/// Volt's first change is kept in <c>tune.json</c>, so every change is reversible with <c>volt tune reset</c>).
/// </summary>
public sealed partial class Tuner(VmStore store, IProcessRunner processes, string sysfs = "/sys")
{
    public static readonly string[] Schedulers = ["none", "mq-deadline", "bfq", "kyber"];

    [GeneratedRegex(@"^\d{1,4}(-\d{1,4})?(,\d{1,4}(-\d{1,4})?)*\z")]
    private static partial Regex CpuListPattern();

    [GeneratedRegex(@"^[a-zA-Z0-9][a-zA-Z0-9_.:-]{0,62}\z")]
    private static partial Regex DevicePattern();

    private string JournalFile => Path.Combine(store.Paths.Lib, "tune.json");

    /// <summary>The CPUs of a list such as <c>0-3,6</c>; exit 2 for a malformed one or a CPU this host does not have.</summary>
    public IReadOnlyList<int> ParseCpuList(string list)
    {
        if (!CpuListPattern().IsMatch(list)) throw VoltException.Usage($"CPU list \"{list}\": expected e.g. 0-3,6");
        var cpus = new SortedSet<int>();
        foreach (var part in list.Split(','))
        {
            var ends = part.Split('-').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            var (a, b) = (ends[0], ends.Length > 1 ? ends[1] : ends[0]);
            if (b < a) throw VoltException.Usage($"CPU list \"{list}\": range {part} runs backwards");
            for (var c = a; c <= b; c++) cpus.Add(c);
        }
        var online = Environment.ProcessorCount;
        if (cpus.Max >= online) throw VoltException.Usage($"CPU {cpus.Max} is not on this host (CPUs 0-{online - 1})");
        return [.. cpus];
    }

    /// <summary>Pins the VM's QEMU (all its threads) to <paramref name="cpuList"/>: now if it runs, and at every start.</summary>
    public async Task<string> PinAsync(string vm, string cpuList, int? numaNode = null, CancellationToken ct = default)
    {
        ParseCpuList(cpuList);
        store.EnsureExists(vm);
        using (store.Lock(vm)) store.SaveConfig(store.Config(vm) with { CpuPin = cpuList, NumaNode = numaNode });
        return await ApplyLiveAsync(vm, cpuList, ct).ConfigureAwait(false)
            ? $"VM \"{vm}\": QEMU pinned to CPUs {cpuList} now and at every start"
            : $"VM \"{vm}\": pinned to CPUs {cpuList} from its next start";
    }

    /// <summary>Pins the VM to the CPUs of one NUMA node (exit 3 naming the nodes this host has).</summary>
    public Task<string> NumaAsync(string vm, int node, CancellationToken ct = default)
    {
        var list = Path.Combine(sysfs, "devices", "system", "node", $"node{node}", "cpulist");
        if (!File.Exists(list))
        {
            var dir = Path.Combine(sysfs, "devices", "system", "node");
            var nodes = Directory.Exists(dir) ? Directory.EnumerateDirectories(dir, "node*").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList() : [];
            throw VoltException.NotFound($"NUMA node {node} not found (this host has: {(nodes.Count == 0 ? "no NUMA information" : string.Join(", ", nodes))})");
        }
        return PinAsync(vm, File.ReadAllText(list).Trim(), node, ct);
    }

    /// <summary>Removes the VM's pinning (a running QEMU may use every CPU again).</summary>
    public async Task<string> UnpinAsync(string vm, CancellationToken ct = default)
    {
        store.EnsureExists(vm);
        using (store.Lock(vm)) store.SaveConfig(store.Config(vm) with { CpuPin = null, NumaNode = null });
        await ApplyLiveAsync(vm, $"0-{Environment.ProcessorCount - 1}", ct).ConfigureAwait(false);
        return $"VM \"{vm}\": not pinned";
    }

    private async Task<bool> ApplyLiveAsync(string vm, string cpuList, CancellationToken ct)
    {
        var s = store.State(vm);
        if (s.Status != Workloads.Model.WorkloadStatus.Running || !Workloads.Services.ProcessIdentity.IsAlive(s.Pid, s.PidStartTime)) return false;
        var r = await processes.RunAsync("taskset", ["-a", "-p", "-c", cpuList, s.Pid!.Value.ToString(CultureInfo.InvariantCulture)],
            new ProcessOptions { Timeout = TimeSpan.FromSeconds(10) }, ct).ConfigureAwait(false);
        if (!r.Success) throw new VoltException(ExitCode.General, $"taskset: {r.StdErr.Trim()}");
        return true;
    }

    /// <summary>Reserves <paramref name="count"/> hugepages of 2M or 1G; answers how many the kernel gave.</summary>
    public string Hugepages(string size, long count)
    {
        var kb = size.ToUpperInvariant() switch { "2M" => 2048, "1G" => 1048576, _ => throw VoltException.Usage($"--size \"{size}\": expected 2M or 1G") };
        if (count < 0) throw VoltException.Usage("--count must be 0 or more");
        var file = Path.Combine(sysfs, "kernel", "mm", "hugepages", $"hugepages-{kb}kB", "nr_hugepages");
        if (!File.Exists(file)) throw VoltException.NotFound($"this kernel has no {size} hugepages ({file})");
        Set($"hugepages-{size.ToUpperInvariant()}", file, count.ToString(CultureInfo.InvariantCulture), File.ReadAllText(file).Trim());
        var got = File.ReadAllText(file).Trim();
        return $"{size.ToUpperInvariant()} hugepages: {got} (asked {count})";
    }

    /// <summary>Sets a block device's I/O scheduler (exit 3 for a device that is not there, 2 for a scheduler it does not offer).</summary>
    public string IoScheduler(string device, string scheduler)
    {
        var dev = device.StartsWith("/dev/", StringComparison.Ordinal) ? device[5..] : device;
        if (!DevicePattern().IsMatch(dev)) throw VoltException.Usage($"invalid block device \"{device}\"");
        if (!Schedulers.Contains(scheduler)) throw VoltException.Usage($"scheduler \"{scheduler}\": expected none, mq-deadline, bfq or kyber");
        var file = Path.Combine(sysfs, "block", dev, "queue", "scheduler");
        if (!File.Exists(file)) throw VoltException.NotFound($"block device \"{dev}\" not found (no {file})");
        var text = File.ReadAllText(file).Trim();
        var offered = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(x => x.Trim('[', ']')).ToList();
        if (!offered.Contains(scheduler)) throw VoltException.Usage($"{dev} offers {string.Join(", ", offered)}; not {scheduler} (load its module first?)");
        var current = Regex.Match(text, @"\[([^\]]+)\]") is { Success: true } m ? m.Groups[1].Value : offered.FirstOrDefault() ?? "none";
        Set($"io:{dev}", file, scheduler, current);
        return $"{dev}: I/O scheduler {scheduler} (was {current})";
    }

    public TuneJournal Journal()
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(JournalFile), VmJson.Default.TuneJournal) ?? new(); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return new(); }
        catch (JsonException e) { throw new VoltException(ExitCode.InvalidConfig, $"{JournalFile}: {e.Message}", e); }
    }

    /// <summary>Puts host settings back as they were before Volt's first change: one key (<c>hugepages-2M</c>, <c>io:sda</c>) or all.</summary>
    public IReadOnlyList<string> ResetHost(string? key)
    {
        var j = Journal();
        var picked = j.Entries.Where(e => key is null || e.Key == key).ToList();
        if (key is not null && picked.Count == 0)
            throw VoltException.NotFound($"no tuning \"{key}\" to reset (changed: {(j.Entries.Count == 0 ? "none" : string.Join(", ", j.Entries.Select(e => e.Key)))})");
        var done = new List<string>();
        foreach (var e in picked)
        {
            File.WriteAllText(e.File, e.Original);
            j.Entries.Remove(e);
            done.Add($"{e.Key}: back to {e.Original}");
        }
        Save(key is null ? j with { Profile = null, ProfileAppliedAt = null } : j);
        return done;
    }

    /// <summary>Puts one host setting back as it was before a step (<paramref name="prior"/>: its journal entry then, or none).</summary>
    internal void UndoHost(string key, TuneEntry? prior)
    {
        var j = Journal();
        var cur = j.Entries.FirstOrDefault(e => e.Key == key);
        if (cur is null) return;
        File.WriteAllText(cur.File, prior?.Value ?? cur.Original);
        j.Entries.Remove(cur);
        if (prior is not null) j.Entries.Add(prior);
        Save(j);
    }

    /// <summary>Records the profile applied (shown by <c>volt tune show</c> and <c>volt tune profile list</c>); null clears it.</summary>
    internal void MarkProfile(string? name) => Save(Journal() with { Profile = name, ProfileAppliedAt = name is null ? null : DateTimeOffset.UtcNow });

    private void Set(string key, string file, string value, string current)
    {
        var j = Journal();
        var prior = j.Entries.FirstOrDefault(e => e.Key == key);
        try { File.WriteAllText(file, value); }
        catch (IOException e) { throw new VoltException(ExitCode.General, $"writing {value} to {file}: {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new VoltException(ExitCode.Permission, $"writing {file}: {e.Message}", e); }
        if (prior is not null) j.Entries.Remove(prior);
        j.Entries.Add(new TuneEntry(key, file, prior?.Original ?? current, value, DateTimeOffset.UtcNow));
        Save(j);
    }

    private void Save(TuneJournal j)
    {
        Directory.CreateDirectory(store.Paths.Lib);
        AtomicFile.WriteAllBytes(JournalFile, JsonSerializer.SerializeToUtf8Bytes(j, VmJson.Default.TuneJournal));
    }
}
