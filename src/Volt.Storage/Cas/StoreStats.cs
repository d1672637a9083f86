namespace Volt.Storage.Cas;

/// <summary><c>volt cas status</c>: what is stored and how much deduplication saves.</summary>
public sealed record StoreStats(string Root, long Objects, long StoredBytes, IReadOnlyDictionary<HashAlgo, (long Objects, long Bytes)> ByAlgorithm,
    int Refs, long LogicalBytes, int TempFiles)
{
    /// <summary>Logical bytes referenced per stored byte (1.0 = no sharing).</summary>
    public double DedupRatio => StoredBytes == 0 ? 1.0 : (double)LogicalBytes / StoredBytes;

    /// <summary>
    /// Counts objects with a single directory walk; logical bytes come from the sizes recorded in refs, so no
    /// manifest is read and status stays fast on large stores.
    /// </summary>
    public static StoreStats Collect(CasStore store)
    {
        var by = Enum.GetValues<HashAlgo>().ToDictionary(a => a, _ => (Objects: 0L, Bytes: 0L));
        foreach (var algo in Enum.GetValues<HashAlgo>())
        {
            var dir = store.AlgoDir(algo);
            if (!Directory.Exists(dir)) continue;
            var info = new DirectoryInfo(dir);
            foreach (var fan in info.EnumerateDirectories())
            {
                if (fan.Name.Length != 2) continue;
                foreach (var f in fan.EnumerateFiles())
                {
                    var cur = by[algo];
                    by[algo] = (cur.Objects + 1, cur.Bytes + f.Length);
                }
            }
        }
        var refs = store.Refs.List();
        var temps = Directory.Exists(store.TmpDir) ? Directory.EnumerateFiles(store.TmpDir).Count() : 0;
        return new StoreStats(store.Root, by.Values.Sum(v => v.Objects), by.Values.Sum(v => v.Bytes), by, refs.Count,
            refs.Sum(r => r.Size), temps);
    }
}
