using System.Text.Json.Serialization;

namespace Volt.Vms.Kernels;

/// <summary>
/// A kernel profile's <c>profile.json</c> in <c>/var/lib/volt/kernels/&lt;profile&gt;/</c>: which kernel file boots,
/// its initramfs, the command line and the QEMU machine defaults VMs of this profile start with.
/// </summary>
public sealed record KernelProfile
{
    public required string Name { get; init; }
    /// <summary>File name inside the profile directory (<c>vmlinux</c> when extracted for PVH, else <c>vmlinuz</c>).</summary>
    public string Kernel { get; init; } = "vmlinuz";
    public string Initramfs { get; init; } = "initramfs.img";
    public string Cmdline { get; init; } = KernelProfiles.BaseCmdline;
    /// <summary>QEMU machine type (<c>pc</c>).</summary>
    public string Machine { get; init; } = "pc";
    /// <summary>Extra <c>-device</c> values every VM of the profile gets (desktop: graphics and input).</summary>
    public IReadOnlyList<string> Devices { get; init; } = [];
    /// <summary>Whether the kernel is an uncompressed ELF with a PVH entry (boots without the decompressor).</summary>
    public bool Pvh { get; init; }
    /// <summary><c>uname -r</c> of the kernel (from the package), when known.</summary>
    public string? Version { get; init; }
    /// <summary>Where it came from: <c>deb:linux-image-6.1.0-…</c> or <c>file:/path</c>.</summary>
    public string? Source { get; init; }
    /// <summary>The kernel modules packed into the initramfs (loaded by its init, dependencies first).</summary>
    public IReadOnlyList<string> Modules { get; init; } = [];
    /// <summary>
    /// <see cref="Kernels.InitScripts.Hash"/> of the init and agent in the initramfs Volt built; null in a profile of an older
    /// Volt (its initramfs is rebuilt at the next <c>vm start</c>).
    /// </summary>
    public string? InitScripts { get; init; }
    /// <summary>The initramfs is the user's (<c>--initramfs</c>): Volt never rebuilds it.</summary>
    public bool UserInitramfs { get; init; }
    public DateTimeOffset AddedAt { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(KernelProfile))]
[JsonSerializable(typeof(List<KernelProfile>))]
public sealed partial class KernelJson : JsonSerializerContext;
