using System.Text.Json;
using System.Text.Json.Serialization;
using Volt.Core.IO;

namespace Volt.Storage.Cas;

/// <summary><c>volt cas status</c>: what is stored and how much deduplication saves.</summary>
public sealed record StoreStats(string Root, long Objects, long StoredBytes, IReadOnlyDictionary<HashAlgo, (long Objects, long Bytes)> ByAlgorithm,
    int Refs, long LogicalBytes, int TempFiles)
{
    /// <summary>Logical bytes referenced per stored byte (1.0 = no sharing).</summary>
    public double DedupRatio => StoredBytes == 0 ? 1.0 : (double)LogicalBytes / StoredBytes;

    /// <summary>
    /// Counts objects per fan-out directory, reusing <c>cas/stats.cache</c> for every directory whose mtime has not
    /// changed (objects are immutable, so only adds and removes change the numbers, and both touch the directory).
    /// A directory changed less than two seconds ago is never cached (coarse filesystem timestamps could hide a later
    /// change within the same tick). Logical bytes come from the sizes recorded in refs, so no manifest is read.
    /// </summary>
    public static StoreStats Collect(CasStore store)
    {
        var cachePath = Path.Combine(store.Root, "stats.cache");
        var cache = Load(cachePath);
        var fresh = new Dictionary<string, FanEntry>();
        var racy = store.Time.GetUtcNow().ToUnixTimeSeconds() - 2;
        var by = Enum.GetValues<HashAlgo>().ToDictionary(a => a, _ => (Objects: 0L, Bytes: 0L));
        foreach (var algo in Enum.GetValues<HashAlgo>())
        {
            var dir = store.AlgoDir(algo);
            if (!Directory.Exists(dir)) continue;
            foreach (var fan in Directory.EnumerateDirectories(dir))
            {
                var name = Path.GetFileName(fan);
                if (name.Length != 2) continue;
                if (!FileStat.TryLStat(fan, out var st)) continue;
                var key = $"{Digest.AlgoName(algo)}/{name}";
                var entry = cache.TryGetValue(key, out var c) && c.MTimeSec == st.MTimeSec && c.MTimeNsec == st.MTimeNsec
                    ? c : Scan(fan, st);
                if (entry.MTimeSec < racy) fresh[key] = entry;
                var cur = by[algo];
                by[algo] = (cur.Objects + entry.Count, cur.Bytes + entry.Bytes);
            }
        }
        if (!SameKeys(cache, fresh)) Save(cachePath, fresh);
        var refs = store.Refs.List();
        var temps = Directory.Exists(store.TmpDir) ? Directory.EnumerateFiles(store.TmpDir).Count() : 0;
        return new StoreStats(store.Root, by.Values.Sum(v => v.Objects), by.Values.Sum(v => v.Bytes), by, refs.Count,
            refs.Sum(r => r.Size), temps);
    }

    private static FanEntry Scan(string fan, FileStat dirStat)
    {
        long count = 0, bytes = 0;
        foreach (var f in new DirectoryInfo(fan).EnumerateFiles())
        {
            if (f.Name.StartsWith('.')) continue; // staging
            count++;
            bytes += f.Length;
        }
        return new FanEntry(dirStat.MTimeSec, dirStat.MTimeNsec, count, bytes);
    }

    private static bool SameKeys(Dictionary<string, FanEntry> a, Dictionary<string, FanEntry> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static Dictionary<string, FanEntry> Load(string path)
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(path), StatsJsonContext.Default.DictionaryStringFanEntry) ?? []; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException) { return []; }
    }

    private static void Save(string path, Dictionary<string, FanEntry> entries)
    {
        try { AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(entries, StatsJsonContext.Default.DictionaryStringFanEntry)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* a cache: read-only stores just rescan */ }
    }
}

/// <summary>Cached counts of one fan-out directory, valid while its mtime is unchanged.</summary>
internal sealed record FanEntry(
    [property: JsonPropertyName("s")] long MTimeSec,
    [property: JsonPropertyName("ns")] uint MTimeNsec,
    [property: JsonPropertyName("n")] long Count,
    [property: JsonPropertyName("b")] long Bytes);

[JsonSerializable(typeof(Dictionary<string, FanEntry>))]
internal sealed partial class StatsJsonContext : JsonSerializerContext;
