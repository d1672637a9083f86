using System.Text.Json.Serialization;
using Volt.Core.Naming;
using Volt.Core.Errors;
using Volt.Workloads.Containers;
using Volt.Workloads.Model;

namespace Volt.Vms.Machines;

/// <summary>A VM's <c>config.json</c>: what was asked at create (and changed by update).</summary>
public sealed record VmConfig
{
    public required string Name { get; init; }
    /// <summary>The Volt image the root disk was made from (its ext4 base is shared by every VM of the image).</summary>
    public string? Image { get; init; }
    /// <summary>The user's disk file the overlay is backed by (<c>--disk</c>).</summary>
    public string? DiskSource { get; init; }
    /// <summary>Kernel profile; null with <c>--disk</c> and no <c>--kernel</c>: the disk's own boot loader (firmware boot).</summary>
    public string? Kernel { get; init; }
    public int Cpus { get; init; } = 1;
    public long MemoryMiB { get; init; } = 512;
    public long? DiskSizeBytes { get; init; }
    public string? Network { get; init; }
    public IReadOnlyList<string> Publish { get; init; } = [];
    /// <summary>Whether a NoCloud seed (seed.iso beside the disk) is attached.</summary>
    public bool CloudInit { get; init; }
    /// <summary><c>auto</c>, <c>kvm</c> or <c>tcg</c>.</summary>
    public string Accel { get; init; } = "auto";
    /// <summary><c>no</c>, <c>on-failure</c> or <c>always</c>.</summary>
    public string Restart { get; init; } = "no";
    /// <summary>Appended to the profile's command line.</summary>
    public string? Cmdline { get; init; }
    public string Mac { get; init; } = "";
    /// <summary>Host CPUs QEMU is pinned to (<c>volt tune cpu pin</c>), e.g. <c>0-1</c>.</summary>
    public string? CpuPin { get; init; }
    /// <summary>The NUMA node the VM is pinned to (<c>volt tune numa</c>): <see cref="CpuPin"/> holds its CPUs.</summary>
    public int? NumaNode { get; init; }
    public bool Hugepages { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A VM's <c>state.json</c>: what runs now, written by its supervisor.</summary>
public sealed record VmState
{
    public WorkloadStatus Status { get; init; } = WorkloadStatus.Stopped;
    public int? Pid { get; init; }
    public long? PidStartTime { get; init; }
    public string? Supervisor { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public int? ExitCode { get; init; }
    public string? Error { get; init; }
    /// <summary>The accelerator of the running (or last) QEMU: <c>kvm</c> or <c>tcg</c>.</summary>
    public string? Accel { get; init; }
    /// <summary>Why that accelerator (the probe's finding).</summary>
    public string? AccelReason { get; init; }
    public int Restarts { get; init; }
    public RestartSchedule? Restart { get; init; }
    public string? Ip { get; init; }
    public string? Tap { get; init; }
    /// <summary>Memory and vCPU values the running QEMU was started with (update applies some only at next start).</summary>
    public long? RunningMemoryMiB { get; init; }
    public int? RunningCpus { get; init; }
    /// <summary>The <c>-smp maxcpus</c> of the running QEMU: how many vCPUs <c>update --cpu</c> can hotplug up to.</summary>
    public int? MaxCpus { get; init; }
    /// <summary>vCPUs hotplugged into the running QEMU since it started (<c>vcpuN</c> devices).</summary>
    public int HotCpus { get; init; }
    /// <summary>vCPUs were hot(un)plugged since QEMU started: QEMU 7.2 dies saving such a guest's memory (seen in CI).</summary>
    public bool CpusHotplugged { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(VmConfig))]
[JsonSerializable(typeof(VmState))]
[JsonSerializable(typeof(Qemu.AccelProbeResult))]
[JsonSerializable(typeof(SnapshotMeta))]
[JsonSerializable(typeof(TuneJournal))]
public sealed partial class VmJson : JsonSerializerContext;

/// <summary>VM names: as containers (<c>[a-z0-9][a-z0-9_.-]{0,62}</c>); the unit is <c>volt-vm@NAME.service</c>.</summary>
public static class VmName
{
    public const string UnitPrefix = "volt-vm@";

    public static string Validate(string name)
    {
        var n = name.StartsWith(UnitPrefix, StringComparison.Ordinal) && name.EndsWith(".service", StringComparison.Ordinal)
            ? name[UnitPrefix.Length..^".service".Length] : name;
        return HumanName.IsValid(n) ? n : throw HumanName.Invalid(name, "VM");
    }

    public static string UnitName(string name) => $"{UnitPrefix}{name}.service";
}
