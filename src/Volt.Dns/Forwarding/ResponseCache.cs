using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;
using Volt.Core.IO;
using Volt.Dns.Wire;

namespace Volt.Dns.Forwarding;

/// <summary>
/// Upstream answers kept for their TTL: at most <c>capacity</c> entries (the soonest to expire go first when full),
/// TTLs counted down on every hit, never longer than <c>maxTtl</c>. Only NOERROR/NXDOMAIN answers that are not
/// truncated and carry a TTL are kept; the negative TTL of an NXDOMAIN is its SOA's (RFC 2308). Persisted whole to
/// <c>cache.json</c> (under <c>/var/cache/volt/dns</c>) on <see cref="Save"/> and read back, minus what expired, on
/// <see cref="Load"/>.
/// </summary>
public sealed class ResponseCache(int capacity, TimeProvider time, uint maxTtl = 86400)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _dirty;

    private sealed record Entry(byte[] Message, long StoredMs, long ExpiresMs, int[] TtlOffsets);

    public int Count { get { lock (_gate) return _entries.Count; } }
    public int Capacity => capacity;

    public static string Key(in DnsQuery q) => $"{q.Type}/{q.Class}/{q.Name}";

    /// <summary>Writes the cached answer for <paramref name="q"/> into <paramref name="dst"/>: the query's id and question
    /// (its case), TTLs less the time it has been cached. False when absent, expired or larger than <paramref name="dst"/>.</summary>
    public bool TryGet(ReadOnlySpan<byte> query, in DnsQuery q, Span<byte> dst, out int length)
    {
        length = 0;
        Entry? e;
        var key = Key(q);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out e)) return false;
            if (e.ExpiresMs <= now) { _entries.Remove(key); return false; }
        }
        if (e.Message.Length > dst.Length || q.QuestionEnd > e.Message.Length) return false;
        e.Message.CopyTo(dst);
        BinaryPrimitives.WriteUInt16BigEndian(dst, q.Id);
        query[DnsConst.HeaderLength..q.QuestionEnd].CopyTo(dst[DnsConst.HeaderLength..]);
        var elapsed = (uint)((now - e.StoredMs) / 1000);
        foreach (var off in e.TtlOffsets)
        {
            var ttl = BinaryPrimitives.ReadUInt32BigEndian(e.Message.AsSpan(off));
            BinaryPrimitives.WriteUInt32BigEndian(dst[off..], ttl > elapsed ? ttl - elapsed : 0);
        }
        length = e.Message.Length;
        return true;
    }

    /// <summary>Keeps <paramref name="response"/> (an upstream's answer to <paramref name="q"/>) if it is cacheable.</summary>
    public bool Put(in DnsQuery q, ReadOnlySpan<byte> response) => Put(Key(q), response, time.GetUtcNow().ToUnixTimeMilliseconds());

    private bool Put(string key, ReadOnlySpan<byte> response, long storedMs)
    {
        if (capacity <= 0 || Ttl(response, out var offsets) is not { } ttl || ttl == 0) return false;
        var entry = new Entry(response.ToArray(), storedMs, storedMs + (long)Math.Min(ttl, maxTtl) * 1000, offsets);
        lock (_gate)
        {
            if (_entries.Count >= capacity && !_entries.ContainsKey(key)) Evict();
            _entries[key] = entry;
            _dirty = true;
        }
        return true;
    }

    /// <summary>The TTL to keep a response for (its smallest record TTL), and where the TTLs are; null when not cacheable.</summary>
    internal static uint? Ttl(ReadOnlySpan<byte> response, out int[] offsets)
    {
        offsets = [];
        var view = DnsMessageView.TryParse(response);
        if (view is null || view.Truncated || (view.Flags & 0x8000) == 0 || view.Rcode is not (DnsConst.NoError or DnsConst.NxDomain)) return null;
        uint? min = null;
        var list = new List<int>();
        foreach (var r in view.Records)
        {
            if (r.Type == DnsConst.Opt) continue;
            list.Add(r.TtlOffset);
            if (r.Section == 3) continue;
            var ttl = r.Ttl;
            // RFC 2308 §5: a negative answer lives for min(SOA TTL, SOA MINIMUM).
            if (r.Type == DnsConst.Soa && r.Section == 2 && r.DataLength >= 20)
                ttl = Math.Min(ttl, BinaryPrimitives.ReadUInt32BigEndian(response[(r.DataOffset + r.DataLength - 4)..]));
            min = min is { } m ? Math.Min(m, ttl) : ttl;
        }
        offsets = [.. list];
        return min;
    }

    /// <summary>Removes what expired; if still full, the tenth of entries that expire soonest.</summary>
    private void Evict()
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (k, e) in _entries) if (e.ExpiresMs <= now) _entries.Remove(k);
        if (_entries.Count < capacity) return;
        foreach (var k in _entries.OrderBy(kv => kv.Value.ExpiresMs).Take(Math.Max(1, capacity / 10)).Select(kv => kv.Key).ToList())
            _entries.Remove(k);
    }

    /// <summary>Writes every live entry to <paramref name="file"/> (atomically) if anything changed since the last save.</summary>
    public void Save(string file)
    {
        List<CacheFileEntry> list;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_gate)
        {
            if (!_dirty) return;
            list = [.. _entries.Where(kv => kv.Value.ExpiresMs > now)
                .Select(kv => new CacheFileEntry(kv.Key, kv.Value.StoredMs, kv.Value.ExpiresMs, Convert.ToBase64String(kv.Value.Message)))];
            _dirty = false;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        AtomicFile.WriteAllBytes(file, JsonSerializer.SerializeToUtf8Bytes(new CacheFile(1, list), CacheJson.Default.CacheFile), durable: false);
    }

    /// <summary>Reads <paramref name="file"/> back (missing or unreadable: an empty cache); returns the entries kept.</summary>
    public int Load(string file)
    {
        CacheFile? data;
        try { data = JsonSerializer.Deserialize(File.ReadAllBytes(file), CacheJson.Default.CacheFile); }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return 0; }
        if (data?.Entries is null) return 0;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var kept = 0;
        foreach (var e in data.Entries.OrderBy(e => e.ExpiresMs))
        {
            if (e.ExpiresMs <= now || e.Key is null || e.Message is null) continue;
            byte[] bytes;
            try { bytes = Convert.FromBase64String(e.Message); } catch (FormatException) { continue; }
            if (Ttl(bytes, out var offsets) is null) continue;
            lock (_gate)
            {
                if (_entries.Count >= capacity) Evict();
                _entries[e.Key] = new Entry(bytes, e.StoredMs, e.ExpiresMs, offsets);
            }
            kept++;
        }
        return kept;
    }
}

internal sealed record CacheFile(int Version, List<CacheFileEntry> Entries);

internal sealed record CacheFileEntry(string Key, long StoredMs, long ExpiresMs, string Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(CacheFile))]
internal sealed partial class CacheJson : JsonSerializerContext;
