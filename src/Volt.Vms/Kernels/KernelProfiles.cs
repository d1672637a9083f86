using Volt.Core.Naming;

namespace Volt.Vms.Kernels;

/// <summary>What a built-in profile name means: its Debian package, command line and machine defaults.</summary>
/// <param name="Package">The Debian (meta)package <c>volt kernel add PROFILE</c> fetches.</param>
public sealed record ProfileDefaults(string Name, string Description, string Package, string Cmdline, IReadOnlyList<string> Devices, IReadOnlyList<string> ExtraModules);

/// <summary>The seed's five profiles; any other name is a user profile and needs <c>--kernel-file</c>.</summary>
public static class KernelProfiles
{
    /// <summary>
    /// A fast serial boot: the console on ttyS0, no boot messages, a panic powers off (QEMU runs with
    /// <c>-no-reboot</c>), no PS/2 probing or timer calibration loops under TCG.
    /// </summary>
    public const string BaseCmdline = "console=ttyS0 quiet panic=-1 reboot=t i8042.noaux i8042.nokbd i8042.nopnp tsc=reliable no_timer_check";

    public const string Default = "server";

    private static readonly ProfileDefaults[] Builtin =
    [
        new("server", "Default. Debian's server kernel (linux-image-amd64).", "linux-image-amd64", BaseCmdline, [], []),
        new("desktop", "Server kernel with graphics and input devices (virtio-gpu, keyboard, tablet).", "linux-image-amd64",
            BaseCmdline, ["virtio-gpu-pci", "virtio-keyboard-pci", "virtio-tablet-pci"], ["virtio-gpu", "virtio_input"]),
        new("rt", "Real-time kernel (linux-image-rt-amd64).", "linux-image-rt-amd64", BaseCmdline, [], []),
        new("minimal", "Debian's cloud kernel (linux-image-cloud-amd64): fewest drivers, maximum density.", "linux-image-cloud-amd64", BaseCmdline, [], []),
        new("dev", "Server kernel with debug and tracing on its command line.", "linux-image-amd64",
            "console=ttyS0 panic=-1 reboot=t loglevel=7 ignore_loglevel initcall_debug trace_buf_size=8M ftrace_dump_on_oops", [], []),
    ];

    public static IReadOnlyList<ProfileDefaults> All => Builtin;

    public static ProfileDefaults? Find(string name) => Builtin.FirstOrDefault(p => p.Name == name);

    public static string Validate(string name) => HumanName.Validate(name, "kernel profile");

    /// <summary>The virtio modules every initramfs carries (block, network, console, balloon, entropy), in load order with their dependencies resolved later.</summary>
    public static readonly IReadOnlyList<string> BaseModules =
        ["virtio_pci", "virtio_mmio", "virtio_blk", "virtio_net", "virtio_console", "virtio_balloon", "virtio-rng", "af_packet"];
}
