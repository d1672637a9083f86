using Volt.Core.IO;
using Volt.Core.Paths;
using Volt.Storage.Cas;

namespace Volt.Images.Store;

/// <summary>What <see cref="ImagePruner.Prune"/> considers.</summary>
public sealed record ImagePruneOptions
{
    /// <summary>Every image no container uses, not only dangling ones (<c>volt image prune --all</c>).</summary>
    public bool All { get; init; }

    /// <summary>Image names containers use, as they recorded them (<c>busybox:1</c>, <c>127.0.0.1:5000/web:1</c>).</summary>
    public IReadOnlyCollection<string> InUse { get; init; } = [];

    /// <summary>Report what would be removed and freed, change nothing.</summary>
    public bool DryRun { get; init; }
}

/// <summary>An image a prune removed (or would remove).</summary>
public sealed record PrunedImage(string Name, string Id, string Ref, long Size);

/// <summary>
/// What a prune removed: the images, the lower dirs of trees no image names any more, and the bytes that freed (CAS
/// objects no ref reaches any more, plus files lower dirs held as copies).
/// </summary>
public sealed record ImagePruneResult(IReadOnlyList<PrunedImage> Images, IReadOnlyList<string> LowerDirs, long ObjectsRemoved, long BytesFreed, bool DryRun);

/// <summary>What <c>volt system df</c> shows for images.</summary>
/// <param name="Images">Image names (refs).</param>
/// <param name="Active">Of those, the ones a container uses.</param>
/// <param name="Size">Bytes of every object the images hold, each counted once (files, trees, configs, records, kept blobs).</param>
/// <param name="Reclaimable">Bytes <c>volt image prune --all</c> would free now.</param>
/// <param name="ReclaimableDangling">Bytes <c>volt image prune</c> (dangling only) would free now.</param>
public sealed record ImageDiskUsage(int Images, int Active, long Size, long Reclaimable, long ReclaimableDangling);

/// <summary>
/// <c>volt image prune</c>: removes images no container uses — by default only <b>dangling</b> ones, images whose only
/// name is a digest (pulled as <c>NAME@sha256:…</c>, what Docker lists as <c>&lt;none&gt;</c>); with
/// <see cref="ImagePruneOptions.All"/> every unused one — and also the shared lower dirs
/// (<c>/var/lib/volt/images/&lt;tree&gt;/lower</c>) of trees no remaining image names and no overlay mounts. The
/// removed images' objects that no other ref reaches are deleted at once (the rest of the store's garbage stays for
/// <c>volt cas gc</c> and its grace period).
/// </summary>
public sealed class ImagePruner(VoltPaths paths, TimeProvider? time = null)
{
    private readonly CasStore _cas = new(paths.Cas);

    public ImagePruneResult Prune(ImagePruneOptions options)
    {
        var started = (time ?? TimeProvider.System).GetUtcNow();
        var store = new ImageStore(_cas);
        var images = store.List();
        var (usedRefs, usedTrees) = Used(store, options.InUse);
        var victims = images.Where(i => !usedRefs.Contains(i.RefName) && (options.All || IsDangling(i))).ToList();
        var keptTrees = images.Except(victims).Select(i => i.Record.Tree).Concat(usedTrees).ToHashSet(StringComparer.Ordinal);

        // The objects only these images may hold: their records, trees, files, configs and kept blobs.
        var candidates = new Reachability(_cas);
        candidates.MarkAll(victims.Select(v => v.Ref));

        var lowerDirs = new List<string>();
        long lowerBytes = 0;
        if (Directory.Exists(paths.Images))
        {
            using var _ = FileLock.Exclusive(Path.Combine(paths.Images, ".lock")); // no lower dir is being built meanwhile
            var mounted = MountedLowerDirs();
            foreach (var dir in Directory.GetDirectories(paths.Images))
            {
                var name = Path.GetFileName(dir);
                if (name.StartsWith('.') || keptTrees.Contains("blake3:" + name)) continue;
                var lower = Path.Combine(dir, "lower");
                if (mounted.Any(m => m == lower || m.StartsWith(lower + "/", StringComparison.Ordinal))) continue;
                lowerBytes += CopiedBytes(dir);
                lowerDirs.Add(dir);
                if (!options.DryRun) Rootfs.LowerDirBuilder.Remove(dir);
            }
        }

        if (!options.DryRun)
            using (_cas.WriterLock())
                foreach (var v in victims) _cas.Refs.Delete(v.RefName);
        var (swept, freed) = options.DryRun
            ? DryRunSweep(candidates.Live, victims)
            : new GarbageCollector(_cas).SweepCandidates(candidates.Live, started, dryRun: false);
        var removed = victims.Select(v => new PrunedImage(v.Name.ToString(), v.Record.Id, v.RefName, v.Record.Size)).ToList();
        return new ImagePruneResult(removed, lowerDirs, swept, freed + lowerBytes, options.DryRun);
    }

    /// <summary>Counts and sizes for <c>volt system df</c> (nothing is changed).</summary>
    public ImageDiskUsage DiskUsage(IReadOnlyCollection<string> inUse)
    {
        var store = new ImageStore(_cas);
        var images = store.List();
        var (usedRefs, _) = Used(store, inUse);
        var reach = new Reachability(_cas);
        reach.MarkAll(images.Select(i => i.Ref));
        long size = 0;
        foreach (var d in reach.Live) if (_cas.TryGetSize(d, out var s)) size += s;
        var all = Prune(new ImagePruneOptions { All = true, InUse = inUse, DryRun = true });
        var dangling = Prune(new ImagePruneOptions { All = false, InUse = inUse, DryRun = true });
        return new ImageDiskUsage(images.Count, images.Count(i => usedRefs.Contains(i.RefName)), size, all.BytesFreed, dangling.BytesFreed);
    }

    /// <summary>An image whose name is only a digest: nothing tags it.</summary>
    public static bool IsDangling(StoredImage image) => image.Name.Digest is not null;

    private static (HashSet<string> Refs, HashSet<string> Trees) Used(ImageStore store, IReadOnlyCollection<string> inUse)
    {
        var refs = new HashSet<string>(StringComparer.Ordinal);
        var trees = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in inUse)
        {
            StoredImage? img;
            try { img = store.TryGet(name); }
            catch (Core.Errors.VoltException) { continue; } // a name that does not parse (a directory rootfs) is no image
            if (img is null) continue;
            refs.Add(img.RefName);
            trees.Add(img.Record.Tree);
        }
        return (refs, trees);
    }

    /// <summary>What a real sweep would free: candidates no remaining ref reaches.</summary>
    private (long, long) DryRunSweep(HashSet<Digest> candidates, List<StoredImage> victims)
    {
        var removed = victims.Select(v => v.RefName).ToHashSet(StringComparer.Ordinal);
        var remaining = new Reachability(_cas);
        remaining.MarkAll(_cas.Refs.List().Where(r => !removed.Contains(r.Name)));
        long n = 0, bytes = 0;
        foreach (var d in candidates)
        {
            if (remaining.Live.Contains(d) || !_cas.TryGetSize(d, out var s)) continue;
            n++;
            bytes += s;
        }
        return (n, bytes);
    }

    /// <summary>Lower dirs of overlay mounts (from /proc/self/mountinfo's super options).</summary>
    private static List<string> MountedLowerDirs()
    {
        var result = new List<string>();
        string[] lines;
        try { lines = File.ReadAllLines("/proc/self/mountinfo"); }
        catch (IOException) { return result; }
        foreach (var line in lines)
        {
            var i = line.IndexOf("lowerdir=", StringComparison.Ordinal);
            if (i < 0) continue;
            var value = line[(i + "lowerdir=".Length)..];
            var end = value.IndexOf(',');
            if (end >= 0) value = value[..end];
            result.AddRange(value.Split(':').Select(v => v.Replace("\\040", " ", StringComparison.Ordinal)));
        }
        return result;
    }

    /// <summary>Bytes of regular files in a lower dir that are its own copies (link count 1), not CAS hard links.</summary>
    private static long CopiedBytes(string dir)
    {
        long total = 0;
        try
        {
            foreach (var f in Directory.EnumerateFiles(dir, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true }))
                if (FileStat.TryLStat(f, out var st) && st.Kind == FileKind.File && st.NLink == 1) total += st.Size;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return total;
    }
}
