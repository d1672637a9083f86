using System.Text.Json;
using Volt.Core.Errors;

namespace Volt.Storage.Cas;

/// <summary>The objects reachable from a set of refs, and the ones refs need but the store lacks.</summary>
public sealed class Reachability(CasStore store)
{
    private readonly Dictionary<Digest, List<string>> _missing = [];

    public HashSet<Digest> Live { get; } = [];
    public IReadOnlyDictionary<Digest, List<string>> Missing => _missing;

    /// <summary>Which refs reach each object (only filled for digests in <see cref="Track"/>).</summary>
    public Dictionary<Digest, List<string>> ReachedBy { get; } = [];

    public HashSet<Digest>? Track { get; init; }

    public void MarkAll(IEnumerable<CasRef> refs)
    {
        foreach (var r in refs) Mark(r);
    }

    public void Mark(CasRef r)
    {
        if (!Digest.TryParse(r.Digest, out var root)) return;
        switch (r.Kind)
        {
            case RefKind.Tree: MarkTree(root.Value, r.Name); break;
            case RefKind.Oci: MarkOci(root.Value, r.Name, 0); break;
            case RefKind.Image: MarkImage(root.Value, r.Name); break;
            default: Reach(root.Value, r.Name); break;
        }
    }

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
        foreach (var d in TreeManifest.ReferencedDigests(json)) Reach(d, refName);
    }

    /// <summary>
    /// An image record: a small JSON object whose top-level "tree" is a tree manifest and "config" a blob; "manifest",
    /// when present, is the image's original OCI manifest kept with its config and layer blobs.
    /// </summary>
    private void MarkImage(Digest record, string refName)
    {
        if (!Reach(record, refName)) return;
        if (!store.TryGetSize(record, out var size) || size > 4 << 20) return;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(store.ReadAllBytes(record)); }
        catch (Exception e) when (e is JsonException or VoltException) { return; }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return;
            if (doc.RootElement.TryGetProperty("config", out var config) && config.ValueKind == JsonValueKind.String
                && Digest.TryParse(config.GetString(), out var c)) Reach(c.Value, refName);
            if (doc.RootElement.TryGetProperty("tree", out var tree) && tree.ValueKind == JsonValueKind.String
                && Digest.TryParse(tree.GetString(), out var t)) MarkTree(t.Value, refName);
            if (doc.RootElement.TryGetProperty("manifest", out var manifest) && manifest.ValueKind == JsonValueKind.String
                && Digest.TryParse(manifest.GetString(), out var m)) MarkOci(m.Value, refName, 0);
        }
    }

    private void MarkOci(Digest d, string refName, int depth)
    {
        if (!Reach(d, refName) || depth > 8) return;
        if (!store.TryGetSize(d, out var size) || size > 4 << 20) return;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(store.ReadAllBytes(d)); }
        catch (Exception e) when (e is JsonException or VoltException) { return; }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return;
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                switch (prop.Name)
                {
                    case "config" when prop.Value.ValueKind == JsonValueKind.Object:
                        Leaf(prop.Value, refName);
                        break;
                    case "layers" or "blobs" when prop.Value.ValueKind == JsonValueKind.Array:
                        foreach (var el in prop.Value.EnumerateArray()) Leaf(el, refName);
                        break;
                    case "manifests" when prop.Value.ValueKind == JsonValueKind.Array:
                        foreach (var el in prop.Value.EnumerateArray())
                            if (DigestOf(el) is { } child) MarkOci(child, refName, depth + 1);
                        break;
                }
            }
        }
    }

    private void Leaf(JsonElement descriptor, string refName)
    {
        if (DigestOf(descriptor) is { } d) Reach(d, refName);
    }

    private static Digest? DigestOf(JsonElement descriptor) =>
        descriptor.ValueKind == JsonValueKind.Object && descriptor.TryGetProperty("digest", out var v)
        && v.ValueKind == JsonValueKind.String && Digest.TryParse(v.GetString(), out var d) ? d : null;
}
