using Volt.Core.Errors;
using Volt.Core.Yaml;
using YamlDotNet.RepresentationModel;

namespace Volt.Core.Config;

/// <summary>
/// Reads <see cref="VoltConfig"/> (Core's keys and the sections a <see cref="ConfigSchema"/> registers) from YAML
/// through YamlDotNet's representation model (no reflection: AOT-safe) and validates every key, collecting all errors (each with file, line and column) before failing once with exit
/// code 12 (<see cref="ConfigException"/>). Broken YAML is reported the same way, through <see cref="SafeYaml"/>.
/// </summary>
public static class ConfigLoader
{
    public static VoltConfig Load(string path, bool mustExist, ConfigSchema schema)
    {
        if (!File.Exists(path))
        {
            if (mustExist) throw new VoltException(ExitCode.InvalidConfig, $"config file \"{path}\" not found");
            return schema.Defaults();
        }
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VoltException(ExitCode.InvalidConfig, $"Failed reading config \"{path}\": {e.Message}", e);
        }
        return Parse(text, path, schema);
    }

    public static VoltConfig Parse(string text, string source, ConfigSchema schema)
    {
        var config = schema.Defaults();
        YamlStream stream;
        try { stream = SafeYaml.Load(text); }
        catch (YamlSyntaxException e)
        {
            throw new ConfigException([new ConfigProblem(source, e.Line, e.Column, e.Reason)]);
        }
        var b = new ConfigBinder(source);
        if (stream.Documents.Count > 1)
            b.Add(stream.Documents[1].RootNode, "only one YAML document is allowed (found a second '---')");
        if (stream.Documents.Count > 0 && stream.Documents[0].RootNode is not YamlScalarNode { Value: null or "" })
        {
            if (stream.Documents[0].RootNode is YamlMappingNode root) BindRoot(b, root, config);
            else b.Add(stream.Documents[0].RootNode, "the config must be a mapping of keys");
        }
        if (b.Problems.Count > 0) throw new ConfigException(b.Problems);
        return config;
    }

    private static void BindRoot(ConfigBinder b, YamlMappingNode root, VoltConfig c)
    {
        var keys = new Dictionary<string, Action<YamlNode>>
        {
            [VoltConfig.OutputKey] = n => c.Output = b.OneOf(n, "output", ["table", "json", "yaml"]) ?? c.Output,
            [VoltConfig.ColorKey] = n => c.Color = b.OneOf(n, "color", ["auto", "always", "never"]) ?? c.Color,
        };
        foreach (var section in c.Sections) keys[section.Key] = n => section.Bind(b, n);
        b.Map(root, "", keys);
        foreach (var section in c.Sections) section.Validate(b, root);
    }
}
