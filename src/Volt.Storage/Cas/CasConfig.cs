using System.Text.Json.Nodes;
using Volt.Core.Config;
using YamlDotNet.RepresentationModel;

namespace Volt.Storage.Cas;

/// <summary><c>cas:</c> in config.yaml: garbage-collection grace and worker threads (docs/config.md).</summary>
public sealed class CasConfig : ConfigSection
{
    public override string Key => "cas";

    /// <summary>Unreferenced objects younger than this survive GC (uploads and builds in flight).</summary>
    public TimeSpan GcGrace { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>Worker threads for build/verify; 0 = one per core.</summary>
    public int Parallelism { get; set; }

    /// <summary><see cref="Parallelism"/>, with 0 meaning one per core.</summary>
    public int Workers => Parallelism > 0 ? Parallelism : Environment.ProcessorCount;

    public override JsonNode Show() => new JsonObject { ["gc_grace"] = GcGrace.ToString(), ["parallelism"] = Parallelism };

    public override void Bind(ConfigBinder b, YamlNode value) => b.Map(value, "cas.", new()
    {
        ["gc_grace"] = v => GcGrace = b.Duration(v, "cas.gc_grace") ?? GcGrace,
        ["parallelism"] = v => Parallelism = b.Int(v, "cas.parallelism", 0, 1024) ?? Parallelism,
    });
}
