using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Processes;
using Volt.Units;
using Volt.Vms.Disks;
using Volt.Vms.Kernels;
using Volt.Vms.Qemu;
using Volt.Workloads.Containers;

namespace Volt.Vms.Machines;

/// <summary>What <c>volt vm create</c> was asked.</summary>
public sealed record VmCreateRequest
{
    public required string Name { get; init; }
    public string? Image { get; init; }
    public string? Disk { get; init; }
    public string? Kernel { get; init; }
    public int Cpus { get; init; } = 1;
    public string Memory { get; init; } = "512M";
    public string? DiskSize { get; init; }
    public string? Network { get; init; }
    public IReadOnlyList<string> Publish { get; init; } = [];
    public string? CloudInit { get; init; }
    public string Accel { get; init; } = "auto";
    public string Restart { get; init; } = "no";
    public string? Cmdline { get; init; }
    public bool Hugepages { get; init; }
}

/// <summary>
/// VMs as records: create checks everything first (exit 2/3/4/11/12 before anything is written), then makes the disk
/// (image base + overlay, or an overlay on the user's checked disk), the cloud-init seed, config.json and the unit;
/// delete removes them (the caller stopped the VM). Starting and stopping are <see cref="VmRuntime"/>'s.
/// </summary>
public sealed class VmEngine(VmStore store, KernelStore kernels, DiskBuilder disks, IProcessRunner processes, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public VmStore Store => store;
    public KernelStore Kernels => kernels;

    /// <summary>Rebuilds a profile's initramfs made by an older Volt before a VM of it starts.</summary>
    public InitramfsRefresher Initramfs => new(kernels, processes);

    public static readonly string[] Accels = ["auto", "kvm", "tcg"];
    public static readonly string[] RestartPolicies = ["no", "on-failure", "always"];

    public async Task<VmConfig> CreateAsync(VmCreateRequest req, Func<string, bool>? taken = null, CancellationToken ct = default)
    {
        var name = VmName.Validate(req.Name);
        if ((req.Image is null) == (req.Disk is null)) throw VoltException.Usage("give exactly one of --image IMAGE or --disk FILE");
        if (!Accels.Contains(req.Accel)) throw VoltException.Usage($"--accel \"{req.Accel}\": expected auto, kvm or tcg");
        if (!RestartPolicies.Contains(req.Restart)) throw VoltException.Usage($"--restart \"{req.Restart}\": expected no, on-failure or always");
        if (req.Cpus is < 1 or > 255) throw VoltException.Usage("--cpu must be 1-255");
        var memory = ParseSize(req.Memory, "--memory");
        if (memory < 64L << 20) throw VoltException.Usage("--memory must be at least 64M");
        CheckFreeMemory(memory);
        long? diskSize = req.DiskSize is null ? null : ParseSize(req.DiskSize, "--disk-size");
        foreach (var p in req.Publish) ResourceParser.Publish(p);
        if (store.Exists(name)) throw VoltException.Exists($"VM \"{name}\" already exists");
        if (taken?.Invoke(name) == true) throw VoltException.Exists($"a workload named \"{name}\" already exists; names are unique across kinds");
        var profile = req.Kernel ?? (req.Image is not null ? KernelProfiles.Default : null);
        if (profile is not null) kernels.Get(profile);
        string? userData = null;
        if (req.CloudInit is { } ci)
        {
            if (!File.Exists(ci)) throw VoltException.NotFound($"cloud-init file \"{ci}\" not found");
            userData = await File.ReadAllTextAsync(ci, ct).ConfigureAwait(false);
            CloudInitSeed.Validate(userData, ci);
        }
        string? diskFormat = null;
        if (req.Disk is not null) diskFormat = await disks.CheckAsync(Path.GetFullPath(req.Disk), ct).ConfigureAwait(false);

        var config = new VmConfig
        {
            Name = name, Image = req.Image, DiskSource = req.Disk is null ? null : Path.GetFullPath(req.Disk), Kernel = profile,
            Cpus = req.Cpus, MemoryMiB = memory >> 20, DiskSizeBytes = diskSize, Network = req.Network, Publish = req.Publish,
            CloudInit = userData is not null, Accel = req.Accel, Restart = req.Restart, Cmdline = req.Cmdline, Mac = Mac(name),
            Hugepages = req.Hugepages, CreatedAt = _time.GetUtcNow(),
        };
        return await Reverter.RunAsync(null, async revert =>
        {
            using var _ = store.Lock(name);
            if (store.Exists(name)) throw VoltException.Exists($"VM \"{name}\" already exists");
            Directory.CreateDirectory(store.Dir(name));
            revert.Add($"remove {store.Dir(name)}", () => Directory.Delete(store.Dir(name), recursive: true));
            if (req.Image is not null)
            {
                var basePath = await disks.EnsureBaseAsync(req.Image, ct).ConfigureAwait(false);
                await disks.CreateOverlayAsync(store.Disk(name), basePath, "qcow2", diskSize, ct).ConfigureAwait(false);
            }
            else await disks.CreateOverlayAsync(store.Disk(name), config.DiskSource!, diskFormat!, diskSize, ct).ConfigureAwait(false);
            if (userData is not null) await new CloudInitSeed(processes).BuildAsync(store.Seed(name), name, userData, null, ct).ConfigureAwait(false);
            store.SaveConfig(config);
            return config;
        }).ConfigureAwait(false);
    }

    /// <summary>Removes config, disk, snapshots, logs and the unit (the caller stopped the VM first).</summary>
    public void Delete(string name)
    {
        store.EnsureExists(name);
        using var _ = store.Lock(name);
        store.Delete(name);
    }

    /// <summary>The unit of one start: the QEMU command line as resolved now (accelerator, TAP).</summary>
    public string RenderUnit(VmConfig config, IReadOnlyList<string> qemuArgv, string? netns = null)
    {
        List<string> exec = config.CpuPin is { } pin ? [Tool("taskset"), "-c", pin, Tool(QemuArgs.Binary), .. qemuArgv] : [Tool(QemuArgs.Binary), .. qemuArgv];
        if (netns is not null) exec = [Tool("nsenter"), $"--net=/run/netns/{netns}", .. exec];
        var restart = config.Restart == "no" ? "no" : config.Restart;
        var b = new UnitFileBuilder(VmName.UnitName(config.Name))
            .Comment($"Written by volt at each start of the VM; change it with: volt vm update {config.Name}")
            .Section("Unit").Add("Description", UnitQuoting.Specifiers($"Volt VM {config.Name}"))
            .Add("After", "network-online.target")
            .Section("Service").Add("Type", "simple")
            .AddCommand("ExecStart", exec)
            .Add("Restart", restart).Add("RestartSec", "2s").Add("TimeoutStopSec", "30s").Add("KillMode", "mixed");
        if (config.MemoryMiB > 0) b.Add("MemoryMax", ((config.MemoryMiB + 256) * 1024 * 1024).ToString(CultureInfo.InvariantCulture));
        return b.Section("Install").Add("WantedBy", "multi-user.target").Build().Render();
    }

    public void WriteUnit(string name, string text)
    {
        Directory.CreateDirectory(store.Paths.Units);
        AtomicFile.WriteAllText(store.UnitFile(name), text);
    }

    /// <summary>A stable locally administered MAC (QEMU's 52:54:00 prefix) from the name.</summary>
    public static string Mac(string name)
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        return $"52:54:00:{h[0]:x2}:{h[1]:x2}:{h[2]:x2}";
    }

    /// <summary><c>512M</c>, <c>1G</c>, <c>10G</c>, plain bytes; exit 2 for anything else.</summary>
    public static long ParseSize(string text, string flag)
    {
        var t = text.Trim();
        if (t.EndsWith("iB", StringComparison.OrdinalIgnoreCase)) t = t[..^2];
        else if (t.EndsWith('i') || t.EndsWith('I')) t = t[..^1];
        var unit = t.Length > 0 && char.IsLetter(t[^1]) ? char.ToUpperInvariant(t[^1]) : 'B';
        var num = t.Length > 0 && char.IsLetter(t[^1]) ? t[..^1] : t;
        long mul = unit switch { 'B' => 1, 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, 'T' => 1L << 40, _ => 0 };
        if (mul == 0 || !double.TryParse(num, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v <= 0)
            throw VoltException.Usage($"{flag} \"{text}\": expected a size such as 512M, 1G or 10G");
        return (long)(v * mul);
    }

    /// <summary>Exit 11 when the guest's memory is more than the host has available (MemAvailable).</summary>
    public static void CheckFreeMemory(long bytes)
    {
        var avail = MemAvailable();
        if (avail is { } a && bytes > a)
            throw new VoltException(ExitCode.Resource, $"--memory {bytes >> 20}M is more than this host has available ({a >> 20}M)");
    }

    public static long? MemAvailable()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        return null;
    }

    private static string Tool(string name) =>
        Workloads.Services.ExecutableLookup.Find(name, Environment.GetEnvironmentVariable("PATH") ?? Workloads.Services.ServiceEnvironment.DefaultPath) ?? "/usr/bin/" + name;
}
