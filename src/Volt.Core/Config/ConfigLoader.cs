using System.Globalization;
using Volt.Core.Errors;
using Volt.Core.Yaml;
using YamlDotNet.RepresentationModel;

namespace Volt.Core.Config;

/// <summary>
/// Reads <see cref="VoltConfig"/> from YAML through YamlDotNet's representation model (no reflection: AOT-safe)
/// and validates every key, collecting all errors (each with file, line and column) before failing once with exit
/// code 12 (<see cref="ConfigException"/>). Broken YAML is reported the same way, through <see cref="SafeYaml"/>.
/// </summary>
public static class ConfigLoader
{
    public static VoltConfig Load(string path, bool mustExist)
    {
        if (!File.Exists(path))
        {
            if (mustExist) throw new VoltException(ExitCode.InvalidConfig, $"config file \"{path}\" not found");
            return new VoltConfig();
        }
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VoltException(ExitCode.InvalidConfig, $"Failed reading config \"{path}\": {e.Message}", e);
        }
        return Parse(text, path);
    }

    public static VoltConfig Parse(string text, string source)
    {
        var config = new VoltConfig();
        YamlStream stream;
        try { stream = SafeYaml.Load(text); }
        catch (YamlSyntaxException e)
        {
            throw new ConfigException([new ConfigProblem(source, e.Line, e.Column, e.Reason)]);
        }
        var b = new Binder(source);
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

    private static void BindRoot(Binder b, YamlMappingNode root, VoltConfig c)
    {
        b.Map(root, "", new()
        {
            ["output"] = n => c.Output = b.OneOf(n, "output", ["table", "json", "yaml"]) ?? c.Output,
            ["color"] = n => c.Color = b.OneOf(n, "color", ["auto", "always", "never"]) ?? c.Color,
            ["supervisor"] = n => c.Supervisor = b.OneOf(n, "supervisor", ["auto", "systemd", "voltd"]) ?? c.Supervisor,
            ["cas"] = n => b.Map(n, "cas.", new()
            {
                ["gc_grace"] = v => c.Cas.GcGrace = b.Duration(v, "cas.gc_grace") ?? c.Cas.GcGrace,
                ["parallelism"] = v => c.Cas.Parallelism = b.Int(v, "cas.parallelism", 0, 1024) ?? c.Cas.Parallelism,
            }),
            ["registry"] = n => b.Map(n, "registry.", new()
            {
                ["listen"] = v => c.Registry.Listen = b.Str(v, "registry.listen") ?? c.Registry.Listen,
                ["port"] = v => c.Registry.Port = b.Int(v, "registry.port", 0, 65535) ?? c.Registry.Port,
                ["anonymous_pull"] = v => c.Registry.AnonymousPull = b.Bool(v, "registry.anonymous_pull") ?? c.Registry.AnonymousPull,
                ["upload_expiry"] = v => c.Registry.UploadExpiry = b.Duration(v, "registry.upload_expiry") ?? c.Registry.UploadExpiry,
                ["tls_cert"] = v => c.Registry.TlsCert = b.Str(v, "registry.tls_cert"),
                ["tls_key"] = v => c.Registry.TlsKey = b.Str(v, "registry.tls_key"),
            }),
            ["network"] = n => b.Map(n, "network.", new()
            {
                ["bridge"] = v => c.Network.Bridge = b.Interface(v, "network.bridge") ?? c.Network.Bridge,
                ["subnet"] = v => c.Network.Subnet = b.Ipv4Subnet(v, "network.subnet") ?? c.Network.Subnet,
            }),
        });
        if ((c.Registry.TlsCert is null) != (c.Registry.TlsKey is null))
            b.Add(b.Seen("registry.tls_cert") ?? b.Seen("registry.tls_key") ?? root, "registry.tls_cert and registry.tls_key must be set together");
    }

    /// <summary>Typed accessors that record an error (with line) and return null instead of throwing.</summary>
    private sealed class Binder(string source)
    {
        private readonly Dictionary<string, YamlNode> _seen = [];
        public List<ConfigProblem> Problems { get; } = [];

        public void Add(YamlNode at, string message) => Problems.Add(new ConfigProblem(source, at.Start.Line, at.Start.Column, message));

        /// <summary>The node a key was set by, for problems about several keys.</summary>
        public YamlNode? Seen(string key) => _seen.GetValueOrDefault(key);

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

        public string? Interface(YamlNode n, string key)
        {
            var v = Str(n, key);
            if (v is null || (v.Length <= 15 && v.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'))) return v;
            Add(n, $"{key} is \"{v}\"; expected an interface name of 1-15 letters, digits, '-', '_', '.'");
            return null;
        }

        public string? Ipv4Subnet(YamlNode n, string key)
        {
            var v = Str(n, key);
            if (v is null) return null;
            if (System.Net.IPNetwork.TryParse(v, out var net) && net.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                && net.PrefixLength is >= 8 and <= 29 && v.StartsWith(net.BaseAddress + "/", StringComparison.Ordinal)) return v;
            Add(n, $"{key} is \"{v}\"; expected an IPv4 subnet like 10.0.0.0/24 (prefix /8 to /29, host bits zero)");
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
}
