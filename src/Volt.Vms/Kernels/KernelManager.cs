using System.Text.RegularExpressions;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Processes;

namespace Volt.Vms.Kernels;

/// <summary>What <c>volt kernel add</c> was asked.</summary>
/// <param name="KernelFile">A kernel of the user's (bzImage or vmlinux) instead of a Debian package.</param>
/// <param name="InitramfsFile">The user's initramfs; without it Volt builds one (with <paramref name="ModulesDir"/>'s modules).</param>
/// <param name="Package">Another Debian kernel package than the profile's.</param>
public sealed record KernelAddRequest(string Profile, string? KernelFile = null, string? InitramfsFile = null, string? ModulesDir = null,
    string? Package = null, string? Cmdline = null, bool Force = false);

/// <summary>
/// Adds and removes kernel profiles: a Debian kernel package fetched with <c>apt-get download</c> (kept in the download
/// cache, so a host or CI pays once) and unpacked with <c>dpkg-deb -x</c>, or a file the user gives; the PVH
/// <c>vmlinux</c> extracted when the kernel has one; the initramfs built by <see cref="InitramfsBuilder"/>.
/// </summary>
public sealed partial class KernelManager(KernelStore store, IProcessRunner processes, string downloadCache, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public KernelStore Store => store;

    public async Task<KernelProfile> AddAsync(KernelAddRequest req, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        var name = KernelProfiles.Validate(req.Profile);
        var defaults = KernelProfiles.Find(name);
        if (defaults is null && req.KernelFile is null && req.Package is null)
            throw VoltException.NotFound($"\"{name}\" is not a built-in profile ({string.Join(", ", KernelProfiles.All.Select(p => p.Name))}): give --kernel-file FILE or --package PKG");
        if (store.Exists(name) && !req.Force)
        {
            var old = store.Get(name);
            throw VoltException.Exists(InitramfsRefresher.IsStale(old)
                ? $"kernel profile \"{name}\" already exists, with an initramfs built by an older Volt (another init and exec agent): it is rebuilt at the next volt vm start of a VM using it, or now with volt kernel add {name} --force"
                : $"kernel profile \"{name}\" already exists (volt kernel rm {name}, or --force)");
        }
        var dir = store.Dir(name);
        var staging = dir + ".new";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        try
        {
            string kernelSrc, source;
            string? version = null;
            ModuleSet? modules = null;
            var unpacked = Path.Combine(staging, "pkg");
            if (req.KernelFile is { } kf)
            {
                if (!File.Exists(kf)) throw VoltException.NotFound($"kernel file \"{kf}\" not found");
                kernelSrc = Path.GetFullPath(kf);
                source = "file:" + kernelSrc;
                if (req.ModulesDir is { } md) modules = new ModuleSet(md);
            }
            else
            {
                var pkg = req.Package ?? defaults!.Package;
                var deb = await DownloadAsync(pkg, progress, ct).ConfigureAwait(false);
                progress?.Report($"unpacking {Path.GetFileName(deb)}");
                await RunAsync("dpkg-deb", ["-x", deb, unpacked], ct).ConfigureAwait(false);
                var boot = Path.Combine(unpacked, "boot");
                kernelSrc = Directory.Exists(boot) ? Directory.EnumerateFiles(boot, "vmlinuz-*").FirstOrDefault() ?? "" : "";
                if (kernelSrc.Length == 0) throw new VoltException(ExitCode.General, $"{Path.GetFileName(deb)} has no /boot/vmlinuz-*");
                version = Path.GetFileName(kernelSrc)["vmlinuz-".Length..];
                source = "deb:" + Path.GetFileNameWithoutExtension(deb);
                modules = new ModuleSet(Path.Combine(unpacked, "lib", "modules", version));
            }

            var pvh = false;
            string kernelName;
            if (Elf.IsElf64(kernelSrc))
            {
                kernelName = "vmlinux";
                File.Copy(kernelSrc, Path.Combine(staging, kernelName));
                pvh = Elf.HasPvhEntry(kernelSrc);
            }
            else
            {
                progress?.Report("extracting the PVH vmlinux");
                pvh = await new VmlinuxExtractor(processes).TryExtractAsync(kernelSrc, Path.Combine(staging, "vmlinux"), ct).ConfigureAwait(false);
                kernelName = pvh ? "vmlinux" : "vmlinuz";
                if (!pvh) File.Copy(kernelSrc, Path.Combine(staging, kernelName));
            }

            IReadOnlyList<string> packed = [];
            if (req.InitramfsFile is { } inf)
            {
                if (!File.Exists(inf)) throw VoltException.NotFound($"initramfs file \"{inf}\" not found");
                File.Copy(inf, Path.Combine(staging, "initramfs.img"));
            }
            else
            {
                progress?.Report("building the initramfs");
                packed = await new InitramfsBuilder(processes).BuildAsync(Path.Combine(staging, "initramfs.img"), modules,
                    [.. KernelProfiles.BaseModules, .. defaults?.ExtraModules ?? []], ct).ConfigureAwait(false);
            }
            if (Directory.Exists(unpacked)) Directory.Delete(unpacked, recursive: true);

            var profile = new KernelProfile
            {
                Name = name, Kernel = kernelName, Pvh = pvh, Version = version, Source = source, Modules = packed,
                Cmdline = req.Cmdline ?? defaults?.Cmdline ?? KernelProfiles.BaseCmdline,
                Devices = defaults?.Devices ?? [], AddedAt = _time.GetUtcNow(),
                InitScripts = req.InitramfsFile is null ? InitScripts.Hash : null, UserInitramfs = req.InitramfsFile is not null,
            };
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            Directory.CreateDirectory(store.Root);
            Directory.Move(staging, dir);
            store.Save(profile);
            return profile;
        }
        finally { if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true); }
    }

    /// <summary>
    /// The .deb of <paramref name="package"/> (a metapackage such as linux-image-amd64 resolves to the linux-image-VERSION
    /// package it depends on), from the download cache or fetched into it with <c>apt-get download</c>.
    /// </summary>
    public async Task<string> DownloadAsync(string package, IProgress<string>? progress, CancellationToken ct)
    {
        var concrete = await ResolveAsync(package, ct).ConfigureAwait(false);
        Directory.CreateDirectory(downloadCache);
        using var _ = FileLock.Exclusive(Path.Combine(downloadCache, ".lock"));
        var version = await CandidateAsync(concrete, ct).ConfigureAwait(false);
        var cached = Directory.EnumerateFiles(downloadCache, concrete + "_*.deb")
            .Where(f => version is null || Path.GetFileName(f).StartsWith($"{concrete}_{version.Replace(":", "%3a")}_", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).LastOrDefault();
        if (cached is not null) return cached;
        progress?.Report($"downloading {concrete}");
        var r = await processes.RunAsync("apt-get", ["download", "-q", concrete],
            new ProcessOptions { WorkingDirectory = downloadCache, Timeout = TimeSpan.FromMinutes(10) }, ct).ConfigureAwait(false);
        if (!r.Success) throw new VoltException(ExitCode.Network, $"apt-get download {concrete} failed: {LastLine(r.StdErr)}");
        return Directory.EnumerateFiles(downloadCache, concrete + "_*.deb").Order(StringComparer.Ordinal).LastOrDefault()
            ?? throw new VoltException(ExitCode.General, $"apt-get download {concrete} left no .deb in {downloadCache}");
    }

    [GeneratedRegex(@"^\s*Depends:\s*(linux-image-[0-9][^\s<>]*)", RegexOptions.Multiline)]
    private static partial Regex KernelDepends();

    private async Task<string> ResolveAsync(string package, CancellationToken ct)
    {
        if (Regex.IsMatch(package, @"^linux-image-[0-9]")) return package;
        var r = await processes.RunAsync("apt-cache", ["depends", "--no-recommends", "--no-suggests", package],
            new ProcessOptions { Timeout = TimeSpan.FromMinutes(5) }, ct).ConfigureAwait(false);
        if (!r.Success) throw VoltException.NotFound($"package \"{package}\" not found by apt ({LastLine(r.StdErr)}); run apt-get update?");
        var m = KernelDepends().Match(r.StdOut);
        return m.Success ? m.Groups[1].Value : package;
    }

    private async Task<string?> CandidateAsync(string package, CancellationToken ct)
    {
        var r = await processes.RunAsync("apt-cache", ["policy", package], new ProcessOptions { Timeout = TimeSpan.FromMinutes(5) }, ct).ConfigureAwait(false);
        var line = r.StdOut.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith("Candidate:", StringComparison.Ordinal));
        var v = line?.Split(':', 2)[1].Trim();
        return v is null or "" or "(none)" ? null : v;
    }

    private async Task RunAsync(string tool, string[] args, CancellationToken ct)
    {
        var r = await processes.RunAsync(tool, args, new ProcessOptions { Timeout = TimeSpan.FromMinutes(5) }, ct).ConfigureAwait(false);
        if (!r.Success) throw new VoltException(ExitCode.General, $"{tool} {string.Join(' ', args)} failed: {LastLine(r.StdErr)}");
    }

    internal static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no output)";
}
