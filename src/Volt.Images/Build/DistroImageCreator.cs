using System.Globalization;
using System.Text.Json.Nodes;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Processes;
using Volt.Images.Oci;
using Volt.Images.Store;
using Volt.Storage.Cas;

namespace Volt.Images.Build;

/// <summary>What <see cref="DistroImageCreator.CreateAsync"/> did: the image and where its tree came from.</summary>
public sealed record DistroImageResult(PullResult Pull, string Source, string RootfsDir);

/// <summary>
/// <c>volt image create NAME --from debian:bookworm</c>: debootstrap into a temporary directory beside the cache,
/// clean it (downloaded .debs, the host's hostname and resolv.conf), rename it into
/// <c>{cache}/distro/&lt;name&gt;</c>, store it in the CAS (one object per file) and record an image with a
/// PATH and <c>/bin/bash</c> as its default command. Three cache levels, checked in order: the CAS ref
/// <c>build/distro/&lt;key&gt;</c> (this store built it before: no file is read), the rootfs directory (this machine
/// built it: only hashing, with the CAS's stat cache), then debootstrap. The key is <see cref="DistroSpec.CacheKey"/>.
/// Builders of the same key serialise on an flock; a failed or cancelled debootstrap leaves nothing behind.
/// </summary>
public sealed class DistroImageCreator(CasStore cas, IProcessLauncher launcher, IProcessRunner runner, string cacheDir, int parallelism, TimeProvider? time = null)
{
    public const string CacheRefPrefix = "build/distro";

    public string ScriptsDir { get; init; } = "/usr/share/debootstrap/scripts";

    public async Task<DistroImageResult> CreateAsync(ImageReference name, DistroSpec spec, IProgress<string>? progress, bool noCache, CancellationToken ct)
    {
        var cacheRef = $"{CacheRefPrefix}/{spec.CacheKey}";
        var rootfs = Path.Combine(cacheDir, "distro", spec.CacheName);
        if (!noCache && cas.Refs.TryGet(cacheRef) is { Kind: RefKind.Tree } hit && cas.Exists(hit.Target))
        {
            progress?.Report($"{spec.Distro}:{spec.Suite}: cached in the store ({hit.Target.ToString()[..19]}…)");
            return new DistroImageResult(Save(name, spec, hit.Target, hit.Size, 0, 0, 0, TimeSpan.Zero), "store", rootfs);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(rootfs)!);
        string source;
        using (FileLock.Exclusive(rootfs + ".lock"))
        {
            if (noCache && Directory.Exists(rootfs)) await RemoveAsync(rootfs).ConfigureAwait(false);
            if (Directory.Exists(rootfs))
            {
                source = "rootfs cache";
                progress?.Report($"{spec.Distro}:{spec.Suite}: cached rootfs {rootfs}");
            }
            else
            {
                await DebootstrapAsync(spec, rootfs, progress, ct).ConfigureAwait(false);
                source = "debootstrap";
            }
        }
        progress?.Report($"storing {rootfs} in the CAS");
        var built = new TreeBuilder(cas, parallelism).Build(rootfs, cacheRef, null, ct);
        return new DistroImageResult(Save(name, spec, built.Manifest, built.Bytes, built.Files, built.NewObjects, built.NewBytes, built.Elapsed), source, rootfs);
    }

    private PullResult Save(ImageReference name, DistroSpec spec, Digest tree, long bytes, long files, long newObjects, long newBytes, TimeSpan elapsed)
    {
        var config = Config(spec, (time ?? TimeProvider.System).GetUtcNow());
        using var _ = cas.WriterLock();
        var image = new ImageStore(cas).Save(name, tree, bytes, config, null, $"linux/{spec.Arch}");
        return new PullResult(image, 0, files, newObjects, newBytes, elapsed);
    }

    private async Task DebootstrapAsync(DistroSpec spec, string rootfs, IProgress<string>? progress, CancellationToken ct)
    {
        var args = new List<string>();
        if (spec.Variant != "standard") args.Add("--variant=" + spec.Variant);
        if (spec.Include.Count > 0) args.Add("--include=" + string.Join(',', spec.Include));
        args.Add("--arch=" + spec.Arch);
        if (spec.Distro == "ubuntu")
        {
            const string keyring = "/usr/share/keyrings/ubuntu-archive-keyring.gpg";
            if (!File.Exists(keyring)) throw new VoltException(ExitCode.Dependency, $"ubuntu:{spec.Suite} needs {keyring} (apt install ubuntu-keyring)");
            args.Add("--keyring=" + keyring);
        }
        var tmp = $"{rootfs}.tmp-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}";
        foreach (var stale in Directory.GetDirectories(Path.GetDirectoryName(rootfs)!, Path.GetFileName(rootfs) + ".tmp-*"))
            await RemoveAsync(stale).ConfigureAwait(false);
        args.Add(spec.Suite);
        args.Add(tmp);
        args.Add(spec.Mirror);
        // A suite newer than this debootstrap (ubuntu:noble on Debian 12) uses the family's generic script.
        if (!File.Exists(Path.Combine(ScriptsDir, spec.Suite))) args.Add(Path.Combine(ScriptsDir, spec.Distro == "ubuntu" ? "gutsy" : "sid"));

        progress?.Report($"debootstrap {string.Join(' ', args)}");
        var tail = new Queue<string>();
        void Line(string l)
        {
            lock (tail)
            {
                tail.Enqueue(l);
                if (tail.Count > 20) tail.Dequeue();
            }
            if (l.StartsWith("I: ", StringComparison.Ordinal) || l.StartsWith("W: ", StringComparison.Ordinal) || l.StartsWith("E: ", StringComparison.Ordinal))
                progress?.Report(l);
        }
        int code;
        using (var p = launcher.Start(new ProcessSpec("debootstrap", args)
        {
            Stdin = ProcessInput.Closed, Stdout = ProcessOutput.Lines(Line), Stderr = ProcessOutput.Lines(Line),
            Environment = new Dictionary<string, string?> { ["LC_ALL"] = "C", ["DEBIAN_FRONTEND"] = "noninteractive" },
            MissingHint = "apt install debootstrap",
        }))
        {
            try { code = await p.WaitForExitAsync(ct).ConfigureAwait(false); }
            catch (OperationCanceledException)
            {
                p.KillTree();
                p.WaitForExit(TimeSpan.FromSeconds(10));
                await RemoveAsync(tmp).ConfigureAwait(false);
                throw;
            }
        }
        if (code != 0 || Directory.Exists(Path.Combine(tmp, "debootstrap")))
        {
            await RemoveAsync(tmp).ConfigureAwait(false);
            string text;
            lock (tail) text = string.Join('\n', tail);
            var notFound = text.Contains("Failed getting release file", StringComparison.Ordinal) || text.Contains("Invalid Release file", StringComparison.Ordinal);
            throw new VoltException(notFound ? ExitCode.NotFound : ExitCode.General,
                $"debootstrap {spec.Distro}:{spec.Suite} from {spec.Mirror} failed (exit {code}):\n{text}");
        }
        Clean(tmp);
        Directory.Move(tmp, rootfs);
    }

    /// <summary>What a distribution image should not carry from the build host.</summary>
    private static void Clean(string dir)
    {
        var archives = Path.Combine(dir, "var/cache/apt/archives");
        if (Directory.Exists(archives))
            foreach (var deb in Directory.GetFiles(archives, "*.deb")) File.Delete(deb);
        File.WriteAllText(Path.Combine(dir, "etc/hostname"), "localhost\n");
        var resolv = Path.Combine(dir, "etc/resolv.conf");
        if (File.Exists(resolv) || !Path.Exists(resolv)) File.WriteAllText(resolv, "");
    }

    private async Task RemoveAsync(string dir)
    {
        if (!Directory.Exists(dir)) return;
        foreach (var m in MountsUnder(dir).OrderByDescending(m => m.Length))
            await runner.RunAsync("umount", ["-l", m]).ConfigureAwait(false);
        var r = await runner.RunAsync("rm", ["-rf", "--one-file-system", dir]).ConfigureAwait(false);
        if (!r.Success) throw new VoltException(ExitCode.General, $"cannot remove {dir}: {r.StdErr.Trim()}");
    }

    private static IEnumerable<string> MountsUnder(string dir)
    {
        var prefix = Path.GetFullPath(dir).TrimEnd('/') + "/";
        string[] lines;
        try { lines = File.ReadAllLines("/proc/self/mountinfo"); }
        catch (IOException) { yield break; }
        foreach (var line in lines)
        {
            var f = line.Split(' ');
            if (f.Length > 4 && f[4].Replace("\\040", " ", StringComparison.Ordinal).StartsWith(prefix, StringComparison.Ordinal)) yield return f[4];
        }
    }

    private static byte[] Config(DistroSpec spec, DateTimeOffset now)
    {
        var root = new JsonObject
        {
            ["created"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            ["architecture"] = spec.Arch,
            ["os"] = "linux",
            ["config"] = new JsonObject
            {
                ["Env"] = new JsonArray("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                ["Cmd"] = new JsonArray("/bin/bash"),
                ["Labels"] = new JsonObject
                {
                    ["org.opencontainers.image.base.name"] = $"{spec.Distro}:{spec.Suite}",
                    ["io.volt.distro.variant"] = spec.Variant,
                    ["io.volt.distro.include"] = string.Join(',', spec.Include),
                    ["io.volt.distro.key"] = spec.CacheKey,
                },
            },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray() },
            ["history"] = new JsonArray(new JsonObject
            {
                ["created"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
                ["created_by"] = $"debootstrap --variant={spec.Variant} --include={string.Join(',', spec.Include)} {spec.Suite} {spec.Mirror}",
            }),
        };
        return System.Text.Encoding.UTF8.GetBytes(root.ToJsonString());
    }
}
