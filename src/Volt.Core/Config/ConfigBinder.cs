using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Volt.Core.Config;

/// <summary>
/// What a <see cref="ConfigSection"/> binds its YAML with: typed accessors that record a problem (with file, line and
/// column) and return null instead of throwing, so every error of a file is reported at once.
/// </summary>
public sealed class ConfigBinder(string source)
{
    private readonly Dictionary<string, YamlNode> _seen = [];
    private readonly List<ConfigProblem> _problems = [];

    /// <summary>The file (or other source) problems are reported against.</summary>
    public string Source => source;

    public IReadOnlyList<ConfigProblem> Problems => _problems;

    /// <summary>Records a problem at <paramref name="at"/>'s position.</summary>
    public void Add(YamlNode at, string message) => _problems.Add(new ConfigProblem(source, at.Start.Line, at.Start.Column, message));

    /// <summary>The node a key was set by, for problems about several keys.</summary>
    public YamlNode? Seen(string key) => _seen.GetValueOrDefault(key);

    /// <summary>
    /// Binds a mapping key by key (<paramref name="prefix"/> names them in errors: <c>"cas."</c>); an unknown key is a
    /// problem listing the known ones; an empty value is an empty mapping.
    /// </summary>
    public void Map(YamlNode node, string prefix, Dictionary<string, Action<YamlNode>> keys)
    {
        if (node is not YamlMappingNode map)
        {
            if (node is YamlScalarNode { Value: null or "" or "~" }) return;
            Add(node, $"{prefix.TrimEnd('.')} must be a mapping");
            return;
        }
        foreach (var (k, v) in map.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? "";
            if (keys.TryGetValue(key, out var bind)) { _seen[prefix + key] = k; bind(v); }
            else Add(k, $"unknown key \"{prefix}{key}\" (known: {string.Join(", ", keys.Keys)})");
        }
    }

    public string? Str(YamlNode n, string key)
    {
        if (n is YamlScalarNode s && !string.IsNullOrEmpty(s.Value)) return s.Value;
        Add(n, $"{key} must be a non-empty string");
        return null;
    }

    public string? OneOf(YamlNode n, string key, string[] allowed)
    {
        var v = Str(n, key);
        if (v is null || allowed.Contains(v)) return v;
        Add(n, $"{key} is \"{v}\"; expected one of {string.Join(", ", allowed)}");
        return null;
    }

    public int? Int(YamlNode n, string key, int min, int max)
    {
        var v = Str(n, key);
        if (v is null) return null;
        if (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) && i >= min && i <= max) return i;
        Add(n, $"{key} is \"{v}\"; expected an integer from {min} to {max}");
        return null;
    }

    public bool? Bool(YamlNode n, string key)
    {
        var v = Str(n, key);
        if (v is null) return null;
        switch (v.ToLowerInvariant())
        {
            case "true" or "yes" or "on": return true;
            case "false" or "no" or "off": return false;
        }
        Add(n, $"{key} is \"{v}\"; expected true or false");
        return null;
    }

    public TimeSpan? Duration(YamlNode n, string key)
    {
        var v = Str(n, key);
        if (v is null) return null;
        if (DurationParser.TryParse(v, out var d)) return d;
        Add(n, $"{key} is \"{v}\"; {DurationParser.Expected}");
        return null;
    }
}
