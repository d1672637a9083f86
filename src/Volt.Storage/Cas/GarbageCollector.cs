using System.Diagnostics;

namespace Volt.Storage.Cas;

/// <summary>What a GC run found and did. <see cref="Unparseable"/>: manifests it could not read (what they name was kept).</summary>
public sealed record GcResult(int Refs, long Objects, long Live, long Swept, long BytesFreed, long KeptYoung, int TempsCleaned,
    bool DryRun, TimeSpan Elapsed, IReadOnlyList<UnparseableObject>? Unparseable = null);

/// <summary>
/// Mark-and-sweep from refs. Marking runs without blocking writers; the sweep holds the store's lock exclusively
/// (writers hold it shared for their whole operation), re-marks any ref that changed meanwhile, and never removes
/// an object modified after <c>start − grace</c>, so an object written or re-used after the GC started is never
/// swept. Each removal is a single unlink of an unreachable object: an interrupted GC leaves a consistent store.
/// A manifest that cannot be parsed does not stop the run: every digest its bytes name is kept (see <see cref="Reachability"/>).
/// </summary>
public sealed class GarbageCollector(CasStore store)
{
    public GcResult Run(bool dryRun, TimeSpan grace, CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        var started = store.Time.GetUtcNow();
        var cutoff = (started - grace).UtcDateTime;
        var marks = new Reachability(store);
        var seen = store.Refs.List();
        marks.MarkAll(seen);
        long objects = 0, swept = 0, freed = 0, young = 0;
        int temps;
        using (store.SweepLock())
        {
            var now = store.Refs.List();
            var before = seen.ToDictionary(r => r.Name, r => r.Digest);
            foreach (var r in now)
                if (!before.TryGetValue(r.Name, out var d) || d != r.Digest) marks.Mark(r);
            foreach (var obj in store.EnumerateObjects())
            {
                ct.ThrowIfCancellationRequested();
                objects++;
                if (marks.Live.Contains(obj.Digest)) continue;
                var info = new FileInfo(obj.Path);
                if (!info.Exists) continue;
                if (info.LastWriteTimeUtc >= cutoff) { young++; continue; }
                swept++;
                freed += info.Length;
                if (!dryRun) info.Delete();
            }
            temps = dryRun ? 0 : store.CleanDeadTemps();
        }
        return new GcResult(seen.Count, objects, marks.Live.Count, swept, freed, young, temps, dryRun, sw.Elapsed, marks.Unparseable);
    }

    /// <summary>
    /// Removes only <paramref name="candidates"/> (objects a caller just released, e.g. the removed images of an image
    /// prune), each only if no ref reaches it — marked under the exclusive sweep lock, so no writer is in flight — and
    /// it was not written or re-used after <paramref name="since"/>. Returns (objects removed, bytes freed).
    /// </summary>
    public (long Swept, long BytesFreed) SweepCandidates(IReadOnlyCollection<Digest> candidates, DateTimeOffset since, bool dryRun)
    {
        if (candidates.Count == 0) return (0, 0);
        long swept = 0, freed = 0;
        using (store.SweepLock())
        {
            var marks = new Reachability(store);
            marks.MarkAll(store.Refs.List());
            foreach (var d in candidates.Distinct())
            {
                if (marks.Live.Contains(d)) continue;
                var info = new FileInfo(store.ObjectPath(d));
                if (!info.Exists || info.LastWriteTimeUtc >= since.UtcDateTime) continue;
                swept++;
                freed += info.Length;
                if (!dryRun) info.Delete();
            }
        }
        return (swept, freed);
    }
}
