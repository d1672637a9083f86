using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Processes;

namespace Volt.Vms.Kernels;

/// <summary>
/// Builds a profile's initramfs: a static busybox as <c>/init</c>'s shell (<see cref="InitScripts.Init"/>), the
/// exec agent, and the virtio modules of the kernel package in load order; packed as cpio newc + gzip by the
/// system's <c>cpio</c> and <c>gzip</c>.
/// </summary>
public sealed class InitramfsBuilder(IProcessRunner processes)
{
    public static readonly string[] BusyboxCandidates = ["/bin/busybox", "/usr/bin/busybox", "/usr/lib/initramfs-tools/bin/busybox"];

    /// <summary>A static busybox of this host (package busybox-static); exit 10 without one.</summary>
    public static string StaticBusybox() =>
        BusyboxCandidates.FirstOrDefault(p => File.Exists(p) && Elf.IsStatic(p))
        ?? throw new VoltException(ExitCode.Dependency, "no static busybox found (install the busybox-static package): the VM initramfs needs one");

    /// <returns>The modules packed, in load order.</returns>
    public async Task<IReadOnlyList<string>> BuildAsync(string output, ModuleSet? modules, IEnumerable<string> wanted, CancellationToken ct = default)
    {
        var busybox = StaticBusybox();
        var staging = output + ".d";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        try
        {
            foreach (var d in new[] { "bin", "dev", "proc", "sys", "etc", "newroot", "lib/modules" }) Directory.CreateDirectory(Path.Combine(staging, d));
            File.Copy(busybox, Path.Combine(staging, "bin", "busybox"));
            var order = modules?.Resolve(wanted) ?? [];
            foreach (var m in order) File.Copy(modules!.File(m)!, Path.Combine(staging, "lib", "modules", m + ".ko"));
            File.WriteAllText(Path.Combine(staging, "etc", "modules"), string.Join('\n', order) + "\n");
            WriteScripts(staging);
            File.SetUnixFileMode(Path.Combine(staging, "bin", "busybox"), (UnixFileMode)0b111_101_101);
            await PackAsync(staging, output, ct).ConfigureAwait(false);
            return order;
        }
        finally { if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true); }
    }

    /// <summary>Writes this Volt's <c>/init</c> and <c>/etc/agent</c> into an initramfs tree.</summary>
    internal static void WriteScripts(string staging)
    {
        Directory.CreateDirectory(Path.Combine(staging, "etc"));
        File.WriteAllText(Path.Combine(staging, "etc", "agent"), InitScripts.Agent.ReplaceLineEndings("\n") + "\n");
        var init = Path.Combine(staging, "init");
        File.WriteAllText(init, InitScripts.Init.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(init, (UnixFileMode)0b111_101_101);
    }

    /// <summary>Packs a tree as cpio newc + gzip into <paramref name="output"/> (a temporary name, then a rename).</summary>
    internal async Task PackAsync(string staging, string output, CancellationToken ct)
    {
        var tmp = output + ".tmp";
        var r = await processes.RunAsync("sh", ["-c", "cd \"$1\" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1 > \"$2\"", "sh", staging, tmp],
            new ProcessOptions { Timeout = TimeSpan.FromMinutes(2) }, ct).ConfigureAwait(false);
        if (!r.Success) { AtomicFile.TryDelete(tmp); throw new VoltException(ExitCode.Dependency, $"packing the initramfs failed (cpio/gzip): {r.StdErr.Trim()}"); }
        File.Move(tmp, output, overwrite: true);
    }
}
