using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Volt.Core.Config;

/// <summary>
/// One top-level key of <c>config.yaml</c> (<c>cas:</c>, <c>registry:</c>, <c>supervisor:</c>…), typed, with its
/// defaults and its validation, owned by the engine that reads it. A section is registered with a
/// <see cref="ConfigSchema"/> (the composition root's); <see cref="ConfigLoader"/> gives it its YAML node and reads
/// it back with <see cref="VoltConfig.Section{T}"/>. Problems are recorded in the <see cref="ConfigBinder"/>, never
/// thrown, so one run reports every error in the file.
/// </summary>
public abstract class ConfigSection
{
    /// <summary>The top-level key, snake_case.</summary>
    public abstract string Key { get; }

    /// <summary>Binds the key's value (a mapping for most sections, a scalar for some).</summary>
    public abstract void Bind(ConfigBinder b, YamlNode value);

    /// <summary>The effective values for <c>volt config show</c>, keyed as in the YAML.</summary>
    public abstract JsonNode? Show();

    /// <summary>Rules across keys, checked after the whole file is bound (also when the key is absent).</summary>
    public virtual void Validate(ConfigBinder b, YamlMappingNode root) { }
}
