using System.Text.Json;
using Volt.Core.Errors;

namespace Volt.Storage.Cas;

/// <summary>An object a ref reaches that should be a manifest (tree, image record, OCI manifest) but cannot be parsed.</summary>
public sealed record UnparseableObject(Digest Digest, string Problem, IReadOnlyList<string> Refs);

/// <summary>
/// The objects reachable from a set of refs, and the ones refs need but the store lacks. An object that should be a
/// manifest but cannot be parsed never stops the walk: it is reported in <see cref="Unparseable"/>, and every digest
/// its bytes spell out (<c>alg:hex</c>) is kept live, so GC never sweeps what it may reference.
/// </summary>
public sealed class Reachability(CasStore store)
{
    private readonly Dictionary<Digest, List<string>> _missing = [];
    private readonly Dictionary<Digest, (string Problem, List<string> Refs)> _unparseable = [];

    public HashSet<Digest> Live { get; } = [];
    public IReadOnlyDictionary<Digest, List<string>> Missing => _missing;

    /// <summary>Which refs reach each object (only filled for digests in <see cref="Track"/>).</summary>
    public Dictionary<Digest, List<string>> ReachedBy { get; } = [];

    public HashSet<Digest>? Track { get; init; }

    /// <summary>Manifests that could not be parsed, sorted by digest.</summary>
    public IReadOnlyList<UnparseableObject> Unparseable =>
        [.. _unparseable.OrderBy(u => u.Key.ToString(), StringComparer.Ordinal).Select(u => new UnparseableObject(u.Key, u.Value.Problem, u.Value.Refs))];

    public void MarkAll(IEnumerable<CasRef> refs)
    {
        foreach (var r in refs) Mark(r);
    }

    public void Mark(CasRef r)
    {
        if (!Digest.TryParse(r.Digest, out var root)) return;
        try
        {
            switch (r.Kind)
            {
                case RefKind.Tree: MarkTree(root.Value, r.Name); break;
                case RefKind.Oci: MarkOci(root.Value, r.Name, 0, guessed: false); break;
                case RefKind.Image: MarkImage(root.Value, r.Name); break;
                default: Reach(root.Value, r.Name); break;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever went wrong below this ref, keep everything its root's bytes name and go on with the next ref.
            Unreadable(root.Value, r.Name, e.Message);
        }
    }

    /// <summary>Reports <paramref name="d"/> and keeps live every digest its bytes spell out.</summary>
    private void Unreadable(Digest d, string refName, string problem)
    {
        Reach(d, refName);
        if (!_unparseable.TryGetValue(d, out var entry)) _unparseable[d] = entry = (problem, []);
        if (!entry.Refs.Contains(refName)) entry.Refs.Add(refName);
        byte[] bytes;
        try { bytes = store.ReadAllBytes(d, 1L << 30); }
        catch (Exception e) when (e is VoltException or IOException or UnauthorizedAccessException) { return; }
        foreach (var named in ScanDigests(bytes))
            if (named != d) MarkOci(named, refName, 1, guessed: true);
    }

    /// <summary>Every <c>blake3:</c>/<c>sha256:</c>/<c>sha512:</c> digest spelled out in raw bytes, valid JSON or not.</summary>
    public static IEnumerable<Digest> ScanDigests(byte[] bytes)
    {
        var found = new HashSet<Digest>();
        var span = bytes.AsSpan();
        for (var i = span.IndexOf((byte)':'); i >= 0 && i < span.Length; )
        {
            foreach (var (name, algo) in Algos)
            {
                var hexLen = Digest.HexLength(algo);
                if (i < name.Length || i + 1 + hexLen > span.Length || !span[(i - name.Length)..i].SequenceEqual(name)) continue;
                var hex = span.Slice(i + 1, hexLen);
                if (hex.ContainsAnyExcept(LowerHex)) continue;
                if (i + 1 + hexLen < span.Length && LowerHex.Contains(span[i + 1 + hexLen])) continue; // longer than a digest
                found.Add(new Digest(algo, System.Text.Encoding.ASCII.GetString(hex)));
            }
            var next = span[(i + 1)..].IndexOf((byte)':');
            i = next < 0 ? -1 : i + 1 + next;
        }
        return found;
    }

    private static readonly (byte[] Name, HashAlgo Algo)[] Algos =
        [("blake3"u8.ToArray(), HashAlgo.Blake3), ("sha256"u8.ToArray(), HashAlgo.Sha256), ("sha512"u8.ToArray(), HashAlgo.Sha512)];

    private static readonly System.Buffers.SearchValues<byte> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef"u8);

    private bool Reach(Digest d, string refName)
    {
        if (Track is not null && Track.Contains(d))
        {
            if (!ReachedBy.TryGetValue(d, out var list)) ReachedBy[d] = list = [];
            if (!list.Contains(refName)) list.Add(refName);
        }
        if (!store.Exists(d))
        {
            if (!_missing.TryGetValue(d, out var refs)) _missing[d] = refs = [];
            if (!refs.Contains(refName)) refs.Add(refName);
            return false;
        }
        return Live.Add(d) || Track is not null;
    }

    private void MarkTree(Digest root, string refName)
    {
        if (!Reach(root, refName)) return;
        byte[] json;
        try { json = store.ReadAllBytes(root, 1L << 30); }
        catch (VoltException) { return; }
        List<Digest> digests;
        try { digests = [.. TreeManifest.ReferencedDigests(json)]; }
        catch (Exception e) when (e is JsonException or InvalidOperationException) { Unreadable(root, refName, $"not a readable tree manifest: {e.Message}"); return; }
        foreach (var d in digests) Reach(d, refName);
    }

    /// <summary>
    /// An image record: a small JSON object whose top-level "tree" is a tree manifest and "config" a blob; "manifest",
    /// when present, is the image's original OCI manifest kept with its config and layer blobs.
    /// </summary>
    private void MarkImage(Digest record, string refName)
    {
        if (!Reach(record, refName)) return;
        if (!store.TryGetSize(record, out var size) || size > 4 << 20) return;
        Digest? configDigest = null, treeDigest = null, manifestDigest = null;
        try
        {
            using var doc = JsonDocument.Parse(store.ReadAllBytes(record));
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return;
            if (doc.RootElement.TryGetProperty("config", out var config) && config.ValueKind == JsonValueKind.String
                && Digest.TryParse(config.GetString(), out var c)) configDigest = c;
            if (doc.RootElement.TryGetProperty("tree", out var tree) && tree.ValueKind == JsonValueKind.String
                && Digest.TryParse(tree.GetString(), out var t)) treeDigest = t;
            if (doc.RootElement.TryGetProperty("manifest", out var manifest) && manifest.ValueKind == JsonValueKind.String
                && Digest.TryParse(manifest.GetString(), out var m)) manifestDigest = m;
        }
        catch (VoltException) { return; }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            Unreadable(record, refName, $"not a readable image record: {e.Message}");
            return;
        }
        if (configDigest is { } cd) Reach(cd, refName);
        if (treeDigest is { } td) MarkTree(td, refName);
        if (manifestDigest is { } md) MarkOci(md, refName, 0, guessed: false);
    }

    /// <summary>
    /// Marks an OCI manifest or index and what it names. <paramref name="guessed"/>: the digest was only found in the
    /// bytes of an unparseable manifest, so it may well be a layer; if it does not parse it is a plain leaf.
    /// </summary>
    private void MarkOci(Digest d, string refName, int depth, bool guessed)
    {
        if (!Reach(d, refName) || depth > 8) return;
        if (!store.TryGetSize(d, out var size) || size > 4 << 20) return;
        var blobs = new List<Digest>();
        var children = new List<Digest>();
        try
        {
            using var doc = JsonDocument.Parse(store.ReadAllBytes(d));
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return;
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.NameEquals("config"u8) && prop.Value.ValueKind == JsonValueKind.Object) Add(blobs, prop.Value);
                else if ((prop.NameEquals("layers"u8) || prop.NameEquals("blobs"u8)) && prop.Value.ValueKind == JsonValueKind.Array)
                    foreach (var el in prop.Value.EnumerateArray()) Add(blobs, el);
                else if (prop.NameEquals("manifests"u8) && prop.Value.ValueKind == JsonValueKind.Array)
                    foreach (var el in prop.Value.EnumerateArray()) Add(children, el);
            }
        }
        catch (VoltException) { return; }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            if (!guessed) Unreadable(d, refName, $"not a readable OCI manifest: {e.Message}");
            return;
        }
        foreach (var b in blobs) Reach(b, refName);
        foreach (var c in children) MarkOci(c, refName, depth + 1, guessed);
    }

    private static void Add(List<Digest> into, JsonElement descriptor)
    {
        if (DigestOf(descriptor) is { } d) into.Add(d);
    }

    /// <summary>A descriptor's digest; a digest string that is not text (lone surrogate) is treated as absent.</summary>
    private static Digest? DigestOf(JsonElement descriptor)
    {
        if (descriptor.ValueKind != JsonValueKind.Object || !descriptor.TryGetProperty("digest"u8, out var v) || v.ValueKind != JsonValueKind.String)
            return null;
        string? text;
        try { text = v.GetString(); }
        catch (InvalidOperationException) { return null; }
        return Digest.TryParse(text, out var d) ? d : null;
    }
}
