using System.Collections.Concurrent;
using Volt.Core.Errors;

namespace Volt.Storage.Cas;

/// <summary>A content hash that appears more than once, with what the copies cost.</summary>
public sealed record DuplicateGroup(Digest Digest, long Size, int Copies, IReadOnlyList<string> Examples)
{
    public long Saved => (long)(Copies - 1) * Size;
}

public sealed record StoreDedupReport(long LogicalBytes, long UniqueBytes, long FileEntries, long UniqueObjects, IReadOnlyList<DuplicateGroup> Top);

public sealed record TreeDedupReport(string Path, long Files, long Bytes, long DuplicateFiles, long HardlinkSavings, long AlreadyInStore,
    IReadOnlyList<DuplicateGroup> Top);

/// <summary><c>volt cas dedup</c>: sharing across every tree ref, and what hard-linking identical files in a tree would save.</summary>
public sealed class DedupAnalyzer(CasStore store, int parallelism)
{
    public StoreDedupReport AnalyzeStore(int top)
    {
        var groups = new Dictionary<Digest, (long Size, int Copies, List<string> Examples)>();
        long logical = 0, entries = 0;
        foreach (var r in store.Refs.List().Where(r => r.Kind == RefKind.Tree))
        {
            TreeManifest m;
            try { m = TreeManifest.Load(store, r.Target); }
            catch (VoltException) { continue; }
            foreach (var e in m.Entries)
            {
                if (e.Type != "file" || !Digest.TryParse(e.Digest, out var d)) continue;
                entries++;
                logical += e.Size;
                if (!groups.TryGetValue(d.Value, out var g)) g = (e.Size, 0, []);
                if (g.Examples.Count < 3) g.Examples.Add($"{r.Name}:{e.Path}");
                groups[d.Value] = (g.Size, g.Copies + 1, g.Examples);
            }
        }
        var unique = groups.Values.Sum(g => g.Size);
        return new StoreDedupReport(logical, unique, entries, groups.Count, TopOf(groups, top));
    }

    public TreeDedupReport AnalyzeTree(string dir, int top, CancellationToken ct = default)
    {
        var root = Path.GetFullPath(dir);
        if (!Directory.Exists(root)) throw VoltException.NotFound($"directory \"{dir}\" not found");
        var scan = TreeScanner.Scan(root, ct);
        var hashes = new ConcurrentDictionary<string, Digest>();
        Parallel.ForEach(scan.Files, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct }, f =>
        {
            try
            {
                using var h = File.OpenHandle(f.FullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.SequentialScan);
                hashes[f.Entry.Path] = CasStore.HashHandle(h, HashAlgo.Blake3).Digest;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw VoltException.From($"Failed reading \"{f.FullPath}\"", e);
            }
        });
        var groups = new Dictionary<Digest, (long Size, int Copies, List<string> Examples)>();
        long bytes = 0, inStore = 0;
        foreach (var f in scan.Files)
        {
            var d = hashes[f.Entry.Path];
            bytes += f.Size;
            if (!groups.TryGetValue(d, out var g)) { g = (f.Size, 0, []); if (store.Exists(d)) inStore += f.Size; }
            if (g.Examples.Count < 3) g.Examples.Add(f.Entry.Path);
            groups[d] = (g.Size, g.Copies + 1, g.Examples);
        }
        var dupFiles = groups.Values.Where(g => g.Copies > 1).Sum(g => (long)g.Copies - 1);
        var savings = groups.Values.Where(g => g.Copies > 1).Sum(g => (long)(g.Copies - 1) * g.Size);
        return new TreeDedupReport(root, scan.Files.Count, bytes, dupFiles, savings, inStore, TopOf(groups, top));
    }

    private static List<DuplicateGroup> TopOf(Dictionary<Digest, (long Size, int Copies, List<string> Examples)> groups, int top) =>
        groups.Where(kv => kv.Value.Copies > 1)
            .Select(kv => new DuplicateGroup(kv.Key, kv.Value.Size, kv.Value.Copies, kv.Value.Examples))
            .OrderByDescending(g => g.Saved).ThenBy(g => g.Digest.Hex, StringComparer.Ordinal).Take(top).ToList();
}
