using System.Globalization;
using System.Text.Json;
using Volt.Core.Errors;

namespace Volt.Sandbox.Policy;

/// <summary>A port in <c>net_bind</c>/<c>net_connect</c>: a number is TCP; <c>"53/udp"</c> asks for a UDP rule.</summary>
public readonly record struct PortRule(int Port, bool Udp)
{
    public override string ToString() => Udp ? $"{Port}/udp" : Port.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// A Landlock policy: exactly the keys <c>fs_read</c>, <c>fs_write</c>, <c>fs_execute</c> (absolute paths) and
/// <c>net_bind</c>, <c>net_connect</c> (ports). A key that is absent leaves that kind of access alone; a key that is
/// present (even empty) restricts it: every file right is denied but beneath the listed paths once any fs key is
/// given, every TCP bind (connect) but to the listed ports once <c>net_bind</c> (<c>net_connect</c>) is given.
/// </summary>
public sealed record LandlockPolicy
{
    public IReadOnlyList<string>? FsRead { get; init; }
    public IReadOnlyList<string>? FsWrite { get; init; }
    public IReadOnlyList<string>? FsExecute { get; init; }
    public IReadOnlyList<PortRule>? NetBind { get; init; }
    public IReadOnlyList<PortRule>? NetConnect { get; init; }

    /// <summary>Paths in a named profile may be missing in an image (skipped there); a FILE's must exist.</summary>
    public bool PathsOptional { get; init; }

    public bool RestrictsFs => FsRead is not null || FsWrite is not null || FsExecute is not null;
    public bool RestrictsNet => NetBind is not null || NetConnect is not null;
    public bool IsUnconfined => !RestrictsFs && !RestrictsNet;

    public static readonly string[] Keys = ["fs_read", "fs_write", "fs_execute", "net_bind", "net_connect"];

    /// <summary>
    /// Parses policy JSON; every problem (unknown keys, relative or missing paths, ports out of range, wrong types) is
    /// collected and thrown as one exit-12 error. <paramref name="exists"/> checks a path (null: not checked).
    /// </summary>
    public static LandlockPolicy Parse(string json, string source, Func<string, bool>? exists = null)
    {
        var errors = new List<string>();
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }); }
        catch (JsonException e) { throw new VoltException(ExitCode.InvalidConfig, $"Landlock policy {source}: not valid JSON: {e.Message}"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new VoltException(ExitCode.InvalidConfig, $"Landlock policy {source}: must be a JSON object with keys {string.Join(", ", Keys)}");
            List<string>? read = null, write = null, exec = null;
            List<PortRule>? bind = null, connect = null;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "fs_read": read = Paths(p, errors, exists); break;
                    case "fs_write": write = Paths(p, errors, exists); break;
                    case "fs_execute": exec = Paths(p, errors, exists); break;
                    case "net_bind": bind = Ports(p, errors); break;
                    case "net_connect": connect = Ports(p, errors); break;
                    default: errors.Add($"unknown key \"{p.Name}\" (known: {string.Join(", ", Keys)})"); break;
                }
            }
            if (errors.Count > 0)
                throw new VoltException(ExitCode.InvalidConfig, $"Landlock policy {source}: {string.Join("; ", errors)}");
            return new LandlockPolicy { FsRead = read, FsWrite = write, FsExecute = exec, NetBind = bind, NetConnect = connect };
        }
    }

    private static List<string> Paths(JsonProperty p, List<string> errors, Func<string, bool>? exists)
    {
        var list = new List<string>();
        if (p.Value.ValueKind != JsonValueKind.Array) { errors.Add($"{p.Name} must be a list of absolute paths"); return list; }
        var i = 0;
        foreach (var e in p.Value.EnumerateArray())
        {
            var at = $"{p.Name}[{i++}]";
            if (e.ValueKind != JsonValueKind.String) { errors.Add($"{at} must be a path string"); continue; }
            var path = e.GetString()!;
            if (!path.StartsWith('/')) errors.Add($"{at} \"{path}\" is not an absolute path");
            else if (path.Contains('\n') || path.Contains('\0')) errors.Add($"{at} contains a newline or NUL");
            else if (exists is not null && !exists(path)) errors.Add($"{at} \"{path}\" does not exist");
            else list.Add(path.Length > 1 ? path.TrimEnd('/') : path);
        }
        return list;
    }

    private static List<PortRule> Ports(JsonProperty p, List<string> errors)
    {
        var list = new List<PortRule>();
        if (p.Value.ValueKind != JsonValueKind.Array) { errors.Add($"{p.Name} must be a list of ports (numbers, or \"N/udp\")"); return list; }
        var i = 0;
        foreach (var e in p.Value.EnumerateArray())
        {
            var at = $"{p.Name}[{i++}]";
            long port;
            var udp = false;
            if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var n)) port = n;
            else if (e.ValueKind == JsonValueKind.String && ParsePort(e.GetString()!, out port, out udp)) { }
            else { errors.Add($"{at} {e.GetRawText()} is not a port (a number 0-65535, or \"N/tcp\", \"N/udp\")"); continue; }
            if (port is < 0 or > 65535) errors.Add($"{at} port {port} is out of range 0-65535");
            else list.Add(new PortRule((int)port, udp));
        }
        return list;
    }

    private static bool ParsePort(string text, out long port, out bool udp)
    {
        var parts = text.Split('/', 2);
        udp = parts.Length == 2 && parts[1].Equals("udp", StringComparison.OrdinalIgnoreCase);
        var tcp = parts.Length == 1 || parts[1].Equals("tcp", StringComparison.OrdinalIgnoreCase);
        return (udp || tcp) & long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out port);
    }

    /// <summary>The policy as JSON with the five keys (absent ones left out).</summary>
    public string ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            void PathList(string key, IReadOnlyList<string>? l) { if (l is null) return; w.WriteStartArray(key); foreach (var x in l) w.WriteStringValue(x); w.WriteEndArray(); }
            void PortList(string key, IReadOnlyList<PortRule>? l)
            {
                if (l is null) return;
                w.WriteStartArray(key);
                foreach (var x in l) { if (x.Udp) w.WriteStringValue(x.ToString()); else w.WriteNumberValue(x.Port); }
                w.WriteEndArray();
            }
            PathList("fs_read", FsRead); PathList("fs_write", FsWrite); PathList("fs_execute", FsExecute);
            PortList("net_bind", NetBind); PortList("net_connect", NetConnect);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }
}
