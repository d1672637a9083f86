using Volt.Storage.Cas;

namespace Volt.Images.Layers;

internal sealed partial class RootfsTree
{
    /// <summary>A tree holding <paramref name="manifest"/>'s entries (copies) as layer 0.</summary>
    public static RootfsTree From(TreeManifest manifest)
    {
        var t = new RootfsTree();
        foreach (var e in manifest.Entries)
            t.Put(e.Path is "." or "" ? [] : e.Path.Split('/'), Clone(e), e.Path);
        return t;
    }

    public static TreeEntry Clone(TreeEntry e) => new()
    {
        Path = e.Path, Type = e.Type, Mode = e.Mode, Uid = e.Uid, Gid = e.Gid, MTime = e.MTime, Size = e.Size, Digest = e.Digest, Target = e.Target, RDev = e.RDev,
    };

    /// <summary>
    /// Resolves an absolute image path the way the kernel would inside the container: every symlink among the
    /// parents (and the last component too with <paramref name="followLast"/>) is followed, absolute targets from the
    /// image's root, and nothing ever climbs above the root. Returns the resolved segments (which need not exist).
    /// </summary>
    /// <param name="hostRoot">
    /// Confined mode (a build context): a symlink or <c>..</c> that would leave the root throws
    /// <see cref="PathEscapeException"/>; an absolute symlink target is accepted only under this host path (the
    /// context directory) and mapped into the tree.
    /// </param>
    public string[] Resolve(string path, bool followLast, string? hostRoot = null)
    {
        var pending = new Stack<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var resolved = new List<string>();
        var hops = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".") continue;
            if (part == "..")
            {
                if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1);
                else if (hostRoot is not null) throw new PathEscapeException(path);
                continue;
            }
            var node = NodeAt(resolved, part);
            if (node is { Entry.Type: "symlink" } && (pending.Count > 0 || followLast))
            {
                if (++hops > 40) throw new HostileLayerException(LayerName, path, "has too many levels of symbolic links");
                var target = node.Entry.Target ?? "";
                if (target.StartsWith('/') && hostRoot is not null)
                {
                    var rootPrefix = hostRoot.TrimEnd('/');
                    if (target != rootPrefix && !target.StartsWith(rootPrefix + "/", StringComparison.Ordinal)) throw new PathEscapeException(path);
                    target = target[rootPrefix.Length..];
                }
                if (target.StartsWith('/')) resolved.Clear();
                foreach (var t in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) pending.Push(t);
                continue;
            }
            resolved.Add(part);
        }
        return [.. resolved];
    }

    private Node? NodeAt(List<string> dir, string name)
    {
        var node = _root;
        foreach (var p in dir)
        {
            if (node.Children is null || !node.Children.TryGetValue(p, out var next)) return null;
            node = next;
        }
        return node.Children?.GetValueOrDefault(name);
    }

    /// <summary>The entries under <paramref name="parts"/> (the entry itself first), paths as stored; empty when absent.</summary>
    public List<TreeEntry> Subtree(string[] parts)
    {
        var node = _root;
        foreach (var p in parts)
        {
            if (node.Children is null || !node.Children.TryGetValue(p, out var next)) return [];
            node = next;
        }
        var list = new List<TreeEntry>();
        Collect(node, list);
        return list;
    }
}

/// <summary>A path (through a symlink or <c>..</c>) that leads outside the tree it must stay in.</summary>
internal sealed class PathEscapeException(string path) : Exception($"\"{path}\" leads outside the build context")
{
    public string PathText { get; } = path;
}
