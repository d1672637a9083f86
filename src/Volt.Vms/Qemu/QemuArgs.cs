using System.Globalization;
using Volt.Vms.Kernels;

namespace Volt.Vms.Qemu;

/// <summary>Everything one QEMU start needs, resolved (paths, accelerator, network).</summary>
public sealed record QemuLaunch
{
    public required string Name { get; init; }
    public required string Accel { get; init; }
    public int Cpus { get; init; } = 1;
    /// <summary>Hotplug room: <c>-smp Cpus,maxcpus=MaxCpus</c> (null or not above Cpus: no room).</summary>
    public int? MaxCpus { get; init; }
    public long MemoryMiB { get; init; } = 512;
    public string Machine { get; init; } = "pc";
    public string? Kernel { get; init; }
    public string? Initramfs { get; init; }
    public string? Cmdline { get; init; }
    public string? Disk { get; init; }
    public string? Seed { get; init; }
    public string? SerialLog { get; init; }
    public string? ConsoleSocket { get; init; }
    public string? AgentSocket { get; init; }
    public string? QmpSocket { get; init; }
    public string? Tap { get; init; }
    public string? Mac { get; init; }
    public IReadOnlyList<string> Devices { get; init; } = [];
    public bool Hugepages { get; init; }
    /// <summary>Start paused and wait for a migration stream (snapshot restore with memory).</summary>
    public string? Incoming { get; init; }
}

/// <summary>
/// The QEMU command line Volt starts: no default devices, no user config, no display, <c>-no-reboot</c> (a guest
/// reboot or panic ends the process, the restart policy decides), serial 0 the console (logged to serial.log and
/// reachable on console.sock), serial 1 the exec agent, QMP on qmp.sock, virtio disk/net/balloon.
/// </summary>
public static class QemuArgs
{
    public const string Binary = "qemu-system-x86_64";

    public static List<string> Build(QemuLaunch l)
    {
        var a = new List<string> { "-name", $"{l.Name},debug-threads=on", "-nodefaults", "-no-user-config", "-nographic", "-no-reboot" };
        a.AddRange(["-machine", $"{l.Machine},accel={l.Accel}"]);
        a.AddRange(["-cpu", l.Accel == "kvm" ? "host" : "max"]);
        a.AddRange(["-smp", l.MaxCpus is { } max && max > l.Cpus
            ? string.Create(CultureInfo.InvariantCulture, $"{l.Cpus},maxcpus={max}") : l.Cpus.ToString(CultureInfo.InvariantCulture)]);
        a.AddRange(["-m", l.MemoryMiB.ToString(CultureInfo.InvariantCulture) + "M"]);
        if (l.Hugepages) a.AddRange(["-mem-path", "/dev/hugepages", "-mem-prealloc"]);
        if (l.Kernel is not null)
        {
            a.AddRange(["-kernel", l.Kernel]);
            if (l.Initramfs is not null) a.AddRange(["-initrd", l.Initramfs]);
            if (l.Cmdline is not null) a.AddRange(["-append", l.Cmdline]);
        }
        if (l.Disk is not null)
            a.AddRange(["-drive", $"id=root,file={Escape(l.Disk)},format=qcow2,if=none,cache=writeback,discard=unmap", "-device", l.Kernel is null ? "virtio-blk-pci,drive=root,bootindex=1" : "virtio-blk-pci,drive=root"]);
        if (l.Seed is not null)
            a.AddRange(["-drive", $"id=seed,file={Escape(l.Seed)},format=raw,if=none,readonly=on", "-device", "virtio-blk-pci,drive=seed"]);
        if (l.ConsoleSocket is not null)
        {
            var log = l.SerialLog is null ? "" : $",logfile={Escape(l.SerialLog)},logappend=on";
            a.AddRange(["-chardev", $"socket,id=console,path={Escape(l.ConsoleSocket)},server=on,wait=off{log}", "-serial", "chardev:console"]);
        }
        else a.AddRange(["-serial", l.SerialLog is null ? "null" : "file:" + l.SerialLog]);
        if (l.AgentSocket is not null)
            a.AddRange(["-chardev", $"socket,id=agent,path={Escape(l.AgentSocket)},server=on,wait=off", "-serial", "chardev:agent"]);
        if (l.QmpSocket is not null) a.AddRange(["-qmp", $"unix:{l.QmpSocket},server=on,wait=off"]);
        a.AddRange(["-device", "virtio-balloon-pci,id=balloon0"]);
        if (l.Tap is not null)
            a.AddRange(["-netdev", $"tap,id=net0,ifname={l.Tap},script=no,downscript=no", "-device", $"virtio-net-pci,netdev=net0,mac={l.Mac}"]);
        foreach (var d in l.Devices) a.AddRange(["-device", d]);
        if (l.Incoming is not null) a.AddRange(["-incoming", l.Incoming]);
        return a;
    }

    /// <summary>The hotplug room a VM of <paramref name="cpus"/> vCPUs starts with: up to the host's CPUs (at most 255).</summary>
    public static int MaxCpus(int cpus) => Math.Clamp(Math.Max(cpus, Environment.ProcessorCount), 1, 255);

    /// <summary>QEMU option values separate with commas: a comma in a path is doubled.</summary>
    public static string Escape(string value) => value.Replace(",", ",,");

    /// <summary>The kernel command line of a profile boot: the profile's, root on the first virtio disk, Volt's and the VM's additions.</summary>
    public static string Cmdline(KernelProfile profile, string? ip, string? extra)
    {
        var parts = new List<string> { profile.Cmdline, "root=/dev/vda", "rw" };
        if (ip is not null) parts.Add("ip=" + ip);
        if (!string.IsNullOrWhiteSpace(extra)) parts.Add(extra.Trim());
        return string.Join(' ', parts);
    }
}
