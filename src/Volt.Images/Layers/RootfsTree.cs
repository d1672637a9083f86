using Volt.Storage.Cas;

namespace Volt.Images.Layers;

/// <summary>
/// The image's final filesystem, built in memory as layers are applied in order. Nothing is written to the
/// host filesystem here, so hostile paths cannot escape anything; they are still rejected so a stored tree
/// never holds a path that would escape when extracted. Rules:
/// <list type="bullet">
/// <item>names are normalised ('./', '//' and '.' segments dropped); an absolute name or any '..' segment is rejected;</item>
/// <item>a path whose parent resolves to a symlink is rejected (extraction would follow it);</item>
/// <item>a hard link must name a regular file already in the tree by its literal path (never through a symlink);</item>
/// <item>symlink targets are stored as written (absolute or relative); they are data, never followed here or
/// when a rootfs is assembled.</item>
/// </list>
/// </summary>
internal sealed partial class RootfsTree
{
    internal sealed class Node(TreeEntry entry, int layer)
    {
        public TreeEntry Entry { get; set; } = entry;
        public int Layer { get; set; } = layer;
        public SortedDictionary<string, Node>? Children { get; set; }
        public bool IsDir => Entry.Type == "dir";
    }

    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;
    private readonly Node _root = new(new TreeEntry { Path = ".", Type = "dir", Mode = "0755", MTime = Epoch }, -1) { Children = new(StringComparer.Ordinal) };

    /// <summary>Index of the layer being applied (whiteouts and opaque markers only hide lower layers).</summary>
    public int Layer { get; set; }

    public string LayerName { get; set; } = "";

    /// <summary>Splits a tar name into segments, rejecting absolute and '..' names. Empty means the root.</summary>
    public string[] Normalize(string name)
    {
        if (name.Contains('\0')) throw new HostileLayerException(LayerName, name, "contains a NUL byte");
        if (name.StartsWith('/')) throw new HostileLayerException(LayerName, name, "is an absolute path");
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Any(p => p == "..")) throw new HostileLayerException(LayerName, name, "contains '..'");
        return parts;
    }

    /// <summary>Adds or replaces an entry; missing parents become 0755 directories.</summary>
    public void Put(string[] parts, TreeEntry entry, string original)
    {
        if (parts.Length == 0)
        {
            if (entry.Type != "dir") throw new HostileLayerException(LayerName, original, "replaces the root with a non-directory");
            CopyMeta(_root.Entry, entry);
            return;
        }
        var parent = Parent(parts, original, create: true)!;
        var name = parts[^1];
        entry.Path = string.Join('/', parts);
        if (parent.Children!.TryGetValue(name, out var existing) && existing.IsDir && entry.Type == "dir")
        {
            CopyMeta(existing.Entry, entry);
            existing.Layer = Layer;
            return;
        }
        parent.Children[name] = new Node(entry, Layer) { Children = entry.Type == "dir" ? new(StringComparer.Ordinal) : null };
    }

    /// <summary>Looks up an existing entry by literal path without following symlinks.</summary>
    public TreeEntry? Find(string[] parts, string original)
    {
        if (parts.Length == 0) return _root.Entry;
        var parent = Parent(parts, original, create: false);
        return parent?.Children!.GetValueOrDefault(parts[^1])?.Entry;
    }

    /// <summary><c>.wh.NAME</c>: removes NAME (and everything under it) from lower layers.</summary>
    public void WhiteOut(string[] dirParts, string name, string original)
    {
        var dir = dirParts.Length == 0 ? _root : Parent([.. dirParts, "x"], original, create: false);
        dir?.Children!.Remove(name);
    }

    /// <summary><c>.wh..wh..opq</c>: hides everything lower layers put in the directory.</summary>
    public void Opaque(string[] dirParts, string original)
    {
        var dir = dirParts.Length == 0 ? _root : Parent([.. dirParts, "x"], original, create: true);
        if (dir is not null) DropLower(dir);
    }

    private void DropLower(Node dir)
    {
        foreach (var (name, child) in dir.Children!.ToList())
        {
            if (child.Layer < Layer) dir.Children!.Remove(name);
            else if (child.IsDir) DropLower(child);
        }
    }

    private Node? Parent(string[] parts, string original, bool create)
    {
        var node = _root;
        var path = "";
        for (var i = 0; i < parts.Length - 1; i++)
        {
            path = path.Length == 0 ? parts[i] : path + "/" + parts[i];
            if (!node.Children!.TryGetValue(parts[i], out var next))
            {
                if (!create) return null;
                next = new Node(new TreeEntry { Path = path, Type = "dir", Mode = "0755", MTime = Epoch }, Layer) { Children = new(StringComparer.Ordinal) };
                node.Children[parts[i]] = next;
            }
            else if (next.Entry.Type == "symlink")
                throw new HostileLayerException(LayerName, original, $"passes through the symlink \"{path}\"");
            else if (!next.IsDir)
            {
                if (!create) return null;
                next = new Node(new TreeEntry { Path = path, Type = "dir", Mode = "0755", MTime = Epoch }, Layer) { Children = new(StringComparer.Ordinal) };
                node.Children[parts[i]] = next;
            }
            node = next;
        }
        return node;
    }

    private static void CopyMeta(TreeEntry into, TreeEntry from)
    {
        into.Mode = from.Mode; into.Uid = from.Uid; into.Gid = from.Gid; into.MTime = from.MTime;
    }

    /// <summary>The finished tree as a volt.tree/v1 manifest (entries sorted by path, as the CAS builds them).</summary>
    public TreeManifest ToManifest()
    {
        var entries = new List<TreeEntry>();
        Collect(_root, entries);
        entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        var files = entries.Where(e => e.Type == "file").ToList();
        return new TreeManifest
        {
            Files = files.Count, Dirs = entries.Count(e => e.Type == "dir"), Size = files.Sum(f => f.Size), Entries = entries,
        };
    }

    private static void Collect(Node node, List<TreeEntry> into)
    {
        into.Add(node.Entry);
        if (node.Children is null) return;
        foreach (var child in node.Children.Values) Collect(child, into);
    }
}
