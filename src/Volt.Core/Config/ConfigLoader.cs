using System.Globalization;
using Volt.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Volt.Core.Config;

/// <summary>
/// Reads <see cref="VoltConfig"/> from YAML through YamlDotNet's representation model (no reflection: AOT-safe)
/// and validates every key, collecting all errors before failing once with exit code 12.
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
        var errors = new List<string>();
        YamlStream stream = new();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException e)
        {
            throw new VoltException(ExitCode.InvalidConfig, $"invalid config \"{source}\": line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}");
        }
        if (stream.Documents.Count > 0 && stream.Documents[0].RootNode is not YamlScalarNode { Value: null or "" })
        {
            var b = new Binder(errors);
            if (stream.Documents[0].RootNode is YamlMappingNode root) BindRoot(b, root, config);
            else errors.Add($"line {stream.Documents[0].RootNode.Start.Line}: the config must be a mapping of keys");
        }
        if (errors.Count > 0)
            throw new VoltException(ExitCode.InvalidConfig,
                $"invalid config \"{source}\" ({errors.Count} error{(errors.Count == 1 ? "" : "s")}):\n  " + string.Join("\n  ", errors));
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
            b.Errors.Add("registry.tls_cert and registry.tls_key must be set together");
    }

    /// <summary>Typed accessors that record an error (with line) and return null instead of throwing.</summary>
    private sealed class Binder(List<string> errors)
    {
        public List<string> Errors => errors;

        public void Map(YamlNode node, string prefix, Dictionary<string, Action<YamlNode>> keys)
        {
            if (node is not YamlMappingNode map)
            {
                if (node is YamlScalarNode { Value: null or "" or "~" }) return;
                errors.Add($"line {node.Start.Line}: {prefix.TrimEnd('.')} must be a mapping");
                return;
            }
            foreach (var (k, v) in map.Children)
            {
                var key = (k as YamlScalarNode)?.Value ?? "";
                if (keys.TryGetValue(key, out var bind)) bind(v);
                else errors.Add($"line {k.Start.Line}: unknown key \"{prefix}{key}\" (known: {string.Join(", ", keys.Keys)})");
            }
        }

        public string? Str(YamlNode n, string key)
        {
            if (n is YamlScalarNode s && !string.IsNullOrEmpty(s.Value)) return s.Value;
            errors.Add($"line {n.Start.Line}: {key} must be a non-empty string");
            return null;
        }

        public string? OneOf(YamlNode n, string key, string[] allowed)
        {
            var v = Str(n, key);
            if (v is null || allowed.Contains(v)) return v;
            errors.Add($"line {n.Start.Line}: {key} is \"{v}\"; expected one of {string.Join(", ", allowed)}");
            return null;
        }

        public int? Int(YamlNode n, string key, int min, int max)
        {
            var v = Str(n, key);
            if (v is null) return null;
            if (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) && i >= min && i <= max) return i;
            errors.Add($"line {n.Start.Line}: {key} is \"{v}\"; expected an integer from {min} to {max}");
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
            errors.Add($"line {n.Start.Line}: {key} is \"{v}\"; expected true or false");
            return null;
        }

        public string? Interface(YamlNode n, string key)
        {
            var v = Str(n, key);
            if (v is null || (v.Length <= 15 && v.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'))) return v;
            errors.Add($"line {n.Start.Line}: {key} is \"{v}\"; expected an interface name of 1-15 letters, digits, '-', '_', '.'");
            return null;
        }

        public string? Ipv4Subnet(YamlNode n, string key)
        {
            var v = Str(n, key);
            if (v is null) return null;
            if (System.Net.IPNetwork.TryParse(v, out var net) && net.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                && net.PrefixLength is >= 8 and <= 29 && v.StartsWith(net.BaseAddress + "/", StringComparison.Ordinal)) return v;
            errors.Add($"line {n.Start.Line}: {key} is \"{v}\"; expected an IPv4 subnet like 10.0.0.0/24 (prefix /8 to /29, host bits zero)");
            return null;
        }

        public TimeSpan? Duration(YamlNode n, string key)
        {
            var v = Str(n, key);
            if (v is null) return null;
            if (DurationParser.TryParse(v, out var d)) return d;
            errors.Add($"line {n.Start.Line}: {key} is \"{v}\"; expected a duration like 30s, 15m, 2h or 7d");
            return null;
        }
    }
}
