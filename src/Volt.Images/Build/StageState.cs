using System.Globalization;
using System.Text.Json.Nodes;
using Volt.Images.Layers;
using Volt.Storage.Cas;

namespace Volt.Images.Build;

/// <summary>
/// A stage as it is being built: its current tree (a CAS tree manifest, loaded lazily) and its OCI image config
/// (kept as JSON so fields Volt does not model — from a pulled base — survive), plus the ARGs in scope.
/// </summary>
internal sealed class StageState(CasStore cas, string name, Digest? tree, JsonObject config)
{
    private RootfsTree? _rootfs;

    public string Name { get; } = name;

    /// <summary>The current tree; null for <c>scratch</c> until something is added.</summary>
    public Digest? Tree { get; private set; } = tree;

    public JsonObject Document { get; } = config;

    public JsonObject Config => Document["config"] as JsonObject ?? (JsonObject)(Document["config"] = new JsonObject());

    public Dictionary<string, string?> Args { get; } = new(StringComparer.Ordinal);

    public List<string> Shell { get; set; } = ["/bin/sh", "-c"];

    public bool CmdSet { get; set; }

    public int Steps { get; set; }

    /// <summary>The tree as an editable in-memory tree (a fresh copy of <see cref="Tree"/>).</summary>
    public RootfsTree Rootfs()
    {
        if (_rootfs is not null) return _rootfs;
        _rootfs = Tree is { } t ? RootfsTree.From(TreeManifest.Load(cas, t)) : new RootfsTree();
        return _rootfs;
    }

    public TreeManifest Manifest() => Tree is { } t ? TreeManifest.Load(cas, t) : new RootfsTree().ToManifest();

    /// <summary>Makes <paramref name="digest"/> the stage's tree (dropping the edited copy unless it is that tree).</summary>
    public void SetTree(Digest digest, RootfsTree? edited = null)
    {
        Tree = digest;
        _rootfs = edited;
    }

    /// <summary>Stores the edited tree and makes it current; returns its digest and manifest.</summary>
    public (Digest Digest, TreeManifest Manifest) Commit(RootfsTree edited)
    {
        var manifest = edited.ToManifest();
        var d = cas.Put(manifest.Serialize()).Digest;
        Tree = d;
        _rootfs = null;
        return (d, manifest);
    }

    public List<string> Env
    {
        get => (Config["Env"] as JsonArray)?.Select(n => n?.GetValue<string>() ?? "").ToList() ?? [];
        set => Config["Env"] = new JsonArray([.. value.Select(v => (JsonNode)v)]);
    }

    public string? GetEnv(string key)
    {
        foreach (var e in Env)
            if (e.StartsWith(key + "=", StringComparison.Ordinal)) return e[(key.Length + 1)..];
        return null;
    }

    public void SetEnv(string key, string value)
    {
        var env = Env;
        var i = env.FindIndex(e => e.StartsWith(key + "=", StringComparison.Ordinal) || e == key);
        if (i >= 0) env[i] = $"{key}={value}";
        else env.Add($"{key}={value}");
        Env = env;
    }

    /// <summary>Substitution lookup: ENV first, then ARGs in scope.</summary>
    public string? Lookup(string key) => GetEnv(key) ?? Args.GetValueOrDefault(key);

    public string Workdir => Config["WorkingDir"]?.GetValue<string>() is { Length: > 0 } w ? w : "/";

    public string? User => Config["User"]?.GetValue<string>() is { Length: > 0 } u ? u : null;

    public void SetList(string key, IEnumerable<string>? items)
    {
        if (items is null) Config.Remove(key);
        else Config[key] = new JsonArray([.. items.Select(v => (JsonNode)v)]);
    }

    public JsonObject Map(string key) => Config[key] as JsonObject ?? (JsonObject)(Config[key] = new JsonObject());

    public void History(string createdBy, bool emptyLayer, DateTimeOffset now, string? comment = null)
    {
        var h = Document["history"] as JsonArray ?? (JsonArray)(Document["history"] = new JsonArray());
        var o = new JsonObject { ["created"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture), ["created_by"] = createdBy };
        if (comment is not null) o["comment"] = comment;
        if (emptyLayer) o["empty_layer"] = true;
        h.Add((JsonNode)o);
    }
}
