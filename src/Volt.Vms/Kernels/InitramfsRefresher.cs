using Volt.Core.IO;
using Volt.Core.Processes;

namespace Volt.Vms.Kernels;

/// <summary>
/// Keeps a profile's Volt-built initramfs on this Volt's init and exec agent. A profile installed by an older Volt
/// keeps the initramfs it was built with (e.g. the init whose agent could lose the race with <c>switch_root</c>):
/// its <see cref="KernelProfile.InitScripts"/> differs from <see cref="InitScripts.Hash"/>, so before a VM of it
/// starts the initramfs is unpacked, its <c>/init</c> and <c>/etc/agent</c> replaced (the busybox and the kernel
/// modules stay: no package download) and repacked under a per-profile lock, atomically (a QEMU already running read
/// the old file at its start). The user's own initramfs (<c>--initramfs</c>, or one without Volt's agent) is never
/// touched.
/// </summary>
public sealed class InitramfsRefresher(KernelStore store, IProcessRunner processes)
{
    /// <summary>Whether the profile's initramfs is Volt's and was built with another init or agent than this Volt's.</summary>
    public static bool IsStale(KernelProfile p) => !p.UserInitramfs && p.InitScripts != InitScripts.Hash;

    /// <summary>The profile, its initramfs rebuilt first when <see cref="IsStale"/>, and whether it was.</summary>
    public async Task<(KernelProfile Profile, bool Rebuilt)> EnsureCurrentAsync(KernelProfile profile, CancellationToken ct = default)
    {
        if (!IsStale(profile)) return (profile, false);
        using var _ = FileLock.Exclusive(Path.Combine(store.Dir(profile.Name), ".initramfs.lock"));
        var now = store.Get(profile.Name); // another start may have rebuilt it while this one waited
        if (!IsStale(now)) return (now, false);
        var initramfs = store.InitramfsPath(now);
        var staging = initramfs + ".refresh.d";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        try
        {
            var r = await processes.RunAsync("sh", ["-c", "cd \"$1\" && gzip -dc \"$2\" | cpio -id --quiet --no-absolute-filenames", "sh", staging, initramfs],
                new ProcessOptions { Timeout = TimeSpan.FromMinutes(2) }, ct).ConfigureAwait(false);
            if (!r.Success || !File.Exists(Path.Combine(staging, "etc", "agent")) || !File.Exists(Path.Combine(staging, "bin", "busybox")))
            {
                // Not an initramfs of Volt's (another format, no agent): the user's; leave it as it is from now on.
                var user = now with { UserInitramfs = true };
                store.Save(user);
                return (user, false);
            }
            InitramfsBuilder.WriteScripts(staging);
            await new InitramfsBuilder(processes).PackAsync(staging, initramfs, ct).ConfigureAwait(false);
            var current = now with { InitScripts = InitScripts.Hash };
            store.Save(current);
            return (current, true);
        }
        finally { if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true); }
    }
}
