using System.Text.Json.Nodes;
using Volt.Core.Config;
using YamlDotNet.RepresentationModel;

namespace Volt.Images.Build;

/// <summary>
/// <c>build:</c> in config.yaml: where <c>volt image create</c> keeps debootstrap results (a machine pays once per
/// set of inputs) and the network RUN steps get by default.
/// <code>
/// build:
///   cache_dir: /var/cache/volt/build     default: {root}/var/cache/volt/build
///   network: none                        none | host (RUN steps; --network overrides)
/// </code>
/// </summary>
public sealed class BuildConfig : ConfigSection
{
    public override string Key => "build";

    /// <summary>Empty: <c>{VoltPaths.Cache}/build</c>.</summary>
    public string CacheDir { get; set; } = "";

    public string Network { get; set; } = "none";

    public string ResolveCacheDir(Volt.Core.Paths.VoltPaths paths) => CacheDir.Length > 0 ? CacheDir : Path.Combine(paths.Cache, "build");

    public override JsonNode Show() => new JsonObject { ["cache_dir"] = CacheDir, ["network"] = Network };

    public override void Bind(ConfigBinder b, YamlNode value) => b.Map(value, "build.", new()
    {
        ["cache_dir"] = v => CacheDir = b.Str(v, "build.cache_dir") ?? CacheDir,
        ["network"] = v => Network = b.OneOf(v, "build.network", ["none", "host"]) ?? Network,
    });
}
