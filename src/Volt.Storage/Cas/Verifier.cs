using System.Collections.Concurrent;
using System.Diagnostics;
using Volt.Core.IO;

namespace Volt.Storage.Cas;

/// <summary>An object whose bytes no longer hash to its name (or that cannot be read).</summary>
public sealed record CorruptObject(Digest Digest, string Path, string Problem, IReadOnlyList<string> Refs, string? QuarantinedTo);

/// <summary>An object a ref needs that the store does not have.</summary>
public sealed record MissingObject(Digest Digest, IReadOnlyList<string> Refs);

/// <summary>
/// What a verify found. <see cref="Unparseable"/> lists manifests that hash correctly but cannot be parsed: reported,
/// not a failure (their bytes are intact, and GC keeps whatever they name).
/// </summary>
public sealed record VerifyResult(long Objects, long Bytes, IReadOnlyList<CorruptObject> Corrupt, IReadOnlyList<MissingObject> Missing,
    IReadOnlyList<string> Strays, int TempsCleaned, TimeSpan Elapsed, IReadOnlyList<UnparseableObject>? Unparseable = null)
{
    public bool Ok => Corrupt.Count == 0 && Missing.Count == 0;
}

/// <summary>Live counters of a running verify.</summary>
public sealed class VerifyCounters
{
    public long ObjectsTotal, BytesTotal, ObjectsDone, BytesDone;
}

/// <summary>
/// Rehashes every object in parallel, names each corrupt one and the refs that reach it, and reports objects
/// that refs need but the store lacks. <c>repair</c> moves corrupt objects to quarantine/ so the next pull or
/// build can store a good copy.
/// </summary>
public sealed class Verifier(CasStore store, int parallelism)
{
    public VerifyResult Run(bool repair, VerifyCounters? counters = null, CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        counters ??= new VerifyCounters();
        var strays = new List<string>();
        var objects = store.EnumerateObjects(strays).Select(o => (o, Size: new FileInfo(o.Path).Length)).OrderByDescending(x => x.Size).ToList();
        counters.ObjectsTotal = objects.Count;
        counters.BytesTotal = objects.Sum(x => x.Size);
        var bad = new ConcurrentBag<(StoredObject Obj, string Problem)>();
        Parallel.ForEach(objects, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct }, item =>
        {
            try
            {
                using var h = File.OpenHandle(item.o.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
                var (actual, _) = CasStore.HashHandle(h, item.o.Digest.Algorithm);
                if (actual != item.o.Digest) bad.Add((item.o, $"content hashes to {actual}"));
            }
            catch (FileNotFoundException) { /* removed by a concurrent gc */ }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { bad.Add((item.o, $"unreadable: {e.Message}")); }
            Interlocked.Increment(ref counters.ObjectsDone);
            Interlocked.Add(ref counters.BytesDone, item.Size);
        });

        var reach = new Reachability(store) { Track = [.. bad.Select(b => b.Obj.Digest)] };
        reach.MarkAll(store.Refs.List());
        var corrupt = new List<CorruptObject>();
        foreach (var (obj, problem) in bad.OrderBy(b => b.Obj.Digest.ToString(), StringComparer.Ordinal))
        {
            string? moved = null;
            if (repair) moved = Quarantine(obj);
            corrupt.Add(new CorruptObject(obj.Digest, obj.Path, problem, reach.ReachedBy.GetValueOrDefault(obj.Digest) ?? [], moved));
        }
        var missing = reach.Missing.Where(m => corrupt.All(c => c.Digest != m.Key))
            .Select(m => new MissingObject(m.Key, m.Value)).OrderBy(m => m.Digest.ToString(), StringComparer.Ordinal).ToList();
        var temps = store.CleanDeadTemps();
        return new VerifyResult(objects.Count, counters.BytesTotal, corrupt, missing, strays, temps, sw.Elapsed, reach.Unparseable);
    }

    private string Quarantine(StoredObject obj)
    {
        var dest = Path.Combine(store.QuarantineDir, Digest.AlgoName(obj.Digest.Algorithm), obj.Digest.Hex);
        Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
        File.Move(obj.Path, dest, overwrite: true);
        Posix.FsyncDirectory(Path.GetDirectoryName(obj.Path)!);
        return dest;
    }
}
