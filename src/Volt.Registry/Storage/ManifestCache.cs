using Volt.Storage.Cas;

namespace Volt.Registry.Storage;

/// <summary>
/// Parsed manifests by digest (digests are immutable, so entries never go stale), capped by the bytes they hold,
/// not by count: a few hundred 4 MiB manifests must not cost gigabytes. The least recently used entries go first.
/// </summary>
public sealed class ManifestCache(long maxBytes)
{
    /// <summary>The default cap: enough for thousands of ordinary (few KiB) manifests.</summary>
    public const long DefaultMaxBytes = 48L << 20;

    private readonly Dictionary<Digest, LinkedListNode<StoredManifest>> _map = [];
    private readonly LinkedList<StoredManifest> _lru = new();
    private readonly Lock _lock = new();
    private long _bytes;

    public long MaxBytes => maxBytes;

    /// <summary>The cost (see <see cref="Cost"/>) of the entries held now.</summary>
    public long Bytes { get { lock (_lock) return _bytes; } }

    public int Count { get { lock (_lock) return _map.Count; } }

    public bool TryGet(Digest d, out StoredManifest manifest)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(d, out var node))
            {
                _lru.Remove(node);
                _lru.AddFirst(node);
                manifest = node.Value;
                return true;
            }
        }
        manifest = null!;
        return false;
    }

    /// <summary>
    /// What an entry costs: its bytes plus its parsed form, whose strings (UTF-16) can take twice the bytes again.
    /// </summary>
    public static long Cost(StoredManifest m) => 3L * m.Bytes.Length;

    /// <summary>Adds (or refreshes) an entry; one costing more than an eighth of the cap is not kept.</summary>
    public void Add(StoredManifest m)
    {
        var size = Cost(m);
        if (size > maxBytes / 8) return;
        lock (_lock)
        {
            if (_map.TryGetValue(m.Digest, out var old))
            {
                _lru.Remove(old);
                _bytes -= Cost(old.Value);
            }
            _map[m.Digest] = _lru.AddFirst(m);
            _bytes += size;
            while (_bytes > maxBytes && _lru.Last is { } last)
            {
                _lru.RemoveLast();
                _map.Remove(last.Value.Digest);
                _bytes -= Cost(last.Value);
            }
        }
    }

    public void Remove(Digest d)
    {
        lock (_lock)
        {
            if (!_map.Remove(d, out var node)) return;
            _lru.Remove(node);
            _bytes -= Cost(node.Value);
        }
    }
}
