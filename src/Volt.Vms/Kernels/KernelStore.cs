using System.Text.Json;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Paths;

namespace Volt.Vms.Kernels;

/// <summary>
/// Kernel profiles on disk:
/// <code>
/// /var/lib/volt/kernels/&lt;profile&gt;/profile.json   KernelProfile
/// /var/lib/volt/kernels/&lt;profile&gt;/vmlinux|vmlinuz the kernel
/// /var/lib/volt/kernels/&lt;profile&gt;/initramfs.img   built by Volt (busybox init + virtio modules)
/// /var/lib/volt/kernels/&lt;profile&gt;/cmdline         the command line (one line, as in profile.json)
/// </code>
/// </summary>
public sealed class KernelStore(VoltPaths paths)
{
    public string Root => Path.Combine(paths.Lib, "kernels");
    public string Dir(string profile) => Path.Combine(Root, profile);
    public string ProfileFile(string profile) => Path.Combine(Dir(profile), "profile.json");

    public bool Exists(string profile) => File.Exists(ProfileFile(profile));

    public IReadOnlyList<KernelProfile> List()
    {
        if (!Directory.Exists(Root)) return [];
        return [.. Directory.EnumerateDirectories(Root).Select(Path.GetFileName).Where(n => n is not null && Exists(n!))
            .Order(StringComparer.Ordinal).Select(n => Load(n!))];
    }

    /// <summary>The profile; unknown → exit 3 naming the profiles there are (and how to add one).</summary>
    public KernelProfile Get(string profile)
    {
        if (Exists(profile)) return Load(profile);
        var have = List().Select(p => p.Name).ToList();
        var known = string.Join(", ", KernelProfiles.All.Select(p => p.Name));
        throw VoltException.NotFound(have.Count == 0
            ? $"kernel profile \"{profile}\" not found: no profiles installed (add one: volt kernel add {profile}; built-in profiles: {known})"
            : $"kernel profile \"{profile}\" not found; installed profiles: {string.Join(", ", have)} (add one: volt kernel add PROFILE; built-in: {known})");
    }

    public string KernelPath(KernelProfile p) => Path.Combine(Dir(p.Name), p.Kernel);
    public string InitramfsPath(KernelProfile p) => Path.Combine(Dir(p.Name), p.Initramfs);

    public void Save(KernelProfile profile)
    {
        Directory.CreateDirectory(Dir(profile.Name));
        AtomicFile.WriteAllText(Path.Combine(Dir(profile.Name), "cmdline"), profile.Cmdline + "\n");
        AtomicFile.WriteAllBytes(ProfileFile(profile.Name), JsonSerializer.SerializeToUtf8Bytes(profile, KernelJson.Default.KernelProfile));
    }

    public void Remove(string profile)
    {
        Get(profile);
        Directory.Delete(Dir(profile), recursive: true);
    }

    private KernelProfile Load(string profile)
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(ProfileFile(profile)), KernelJson.Default.KernelProfile)!; }
        catch (JsonException e) { throw new VoltException(ExitCode.InvalidConfig, $"{ProfileFile(profile)}: {e.Message}", e); }
    }
}
