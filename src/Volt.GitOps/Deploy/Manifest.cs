using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Volt.Core.Yaml;

namespace Volt.GitOps.Deploy;

/// <summary>
/// <c>volt-manifest.yaml</c>: one workload (a container now; <c>kind: vm</c> later).
/// <code>
/// kind: container            # optional, the only kind so far
/// name: web                  # optional; must equal the pipeline's --workload
/// image: busybox:latest      # an image in Volt's image store …
/// build: ./rootfs            # … or a path in the repo: a Containerfile/Dockerfile (or a directory holding one), built
///                            # with the image builder, else a directory built with build-from-dir (exactly one of the two)
/// command: ["/bin/httpd", "-f", "-p", "8080"]   # or a string split on spaces
/// env: { MODE: prod }        # map, or list of KEY=VALUE
/// ports: ["8080:80"]         # HOST:CTR[/udp], as --publish
/// volumes: ["/srv/data:/data"]
/// resources: { memory: 256M, cpu: 50, pids: 100 }
/// restart: on-failure        # no | on-failure | always
/// </code>
/// </summary>
public sealed record Manifest
{
    public string Kind { get; init; } = "container";
    public string? Name { get; init; }
    public string? Image { get; init; }
    public string? Build { get; init; }
    public IReadOnlyList<string> Command { get; init; } = [];
    public IReadOnlyList<string> Env { get; init; } = [];
    public IReadOnlyList<string> Ports { get; init; } = [];
    public IReadOnlyList<string> Volumes { get; init; } = [];
    public string? Memory { get; init; }
    public string? Cpu { get; init; }
    public string? Pids { get; init; }
    public string Restart { get; init; } = "no";

    /// <summary>A stable text of every setting: equal fingerprints mean nothing to redeploy.</summary>
    public string Fingerprint() => string.Join("\n", Kind, Name, Image, Build, string.Join("\0", Command), string.Join("\0", Env),
        string.Join("\0", Ports), string.Join("\0", Volumes), Memory, Cpu, Pids, Restart);
}

/// <summary>A manifest error that names the line and column (1-based) it was found at.</summary>
public sealed class ManifestException(string message) : Exception(message);

/// <summary>Parses <see cref="Manifest"/> through YamlDotNet's representation model (AOT-safe, with line numbers).</summary>
public static class ManifestParser
{
    public const string FileName = "volt-manifest.yaml";
    /// <summary>Largest manifest read (a manifest is a few lines; this bounds the YAML library's work).</summary>
    public const int MaxBytes = 256 * 1024;
    /// <summary>Deepest nesting of mappings and sequences accepted (a manifest is flat; SafeYaml stops past it).</summary>
    public const int MaxDepth = 32;

    private static readonly string[] Keys = ["kind", "name", "image", "build", "command", "env", "ports", "volumes", "resources", "restart"];

    /// <summary>
    /// Every problem — YAML syntax (including what the library reports as <see cref="InvalidOperationException"/>),
    /// unknown keys, wrong types — is a <see cref="ManifestException"/> "volt-manifest.yaml line L, column C: …".
    /// </summary>
    public static Manifest Parse(string yaml)
    {
        if (yaml.Length > MaxBytes) throw new ManifestException($"{FileName} line 1, column 1: larger than {MaxBytes / 1024} KiB");
        YamlStream stream;
        try { stream = SafeYaml.Load(yaml, MaxDepth); }
        catch (YamlSyntaxException e)
        {
            // A flow list or mapping left open is reported where it was opened, not where the library gave up.
            var flow = e.Reason.Contains("flow sequence") || e.Reason.Contains("flow mapping") || e.Reason.StartsWith("malformed YAML", StringComparison.Ordinal);
            throw new ManifestException((flow ? Unclosed(yaml) : null) ?? $"{FileName} line {e.Line}, column {e.Column}: {Sources.SourceControl.Shown(e.Reason.ReplaceLineEndings(" ").Trim(), 200)}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ManifestException($"{At(stream.Documents.Count == 0 ? Mark.Empty : stream.Documents[0].RootNode.Start)}: expected a mapping (image:, command:, …)");
        if (stream.Documents.Count > 1) throw Error(stream.Documents[1].RootNode, "only one YAML document is allowed");
        var m = new Manifest();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (k, v) in root.Children)
        {
            var key = Key(k);
            if (!seen.Add(key)) throw Error(k, $"key \"{key}\" appears twice");
            m = key switch
            {
                "kind" => Scalar(v, key) is "container" ? m : throw Error(v, "kind must be \"container\" (vm is not supported yet)"),
                "name" => m with { Name = Scalar(v, key) },
                "image" => m with { Image = ImageRef(v) },
                "build" => m with { Build = Scalar(v, key) },
                "command" => m with { Command = v is YamlScalarNode ? (Scalar(v, key) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries) : List(v, key) },
                "env" => m with { Env = Env(v) },
                "ports" => m with { Ports = List(v, key) },
                "volumes" => m with { Volumes = List(v, key) },
                "resources" => Resources(m, v),
                "restart" => m with { Restart = Scalar(v, key) is var r && r is "no" or "on-failure" or "always" ? r : throw Error(v, "restart must be no, on-failure or always") },
                _ => throw Error(k, $"unknown key \"{Sources.SourceControl.Shown(key)}\" (expected {string.Join(", ", Keys)})"),
            };
        }
        if ((m.Image is null) == (m.Build is null)) throw Error(root, "exactly one of image: or build: is required");
        if (m.Build is { } b && (b.Length == 0 || b.StartsWith('/') || b.Split('/').Contains("..") || b.StartsWith('-'))) throw Error(root, "build: must be a path inside the repository");
        return m;
    }

    /// <summary>An image reference: no leading '-', no spaces or control characters, at most 255 characters.</summary>
    private static string? ImageRef(YamlNode v)
    {
        var s = Scalar(v, "image");
        if (s is null || s.Length == 0 || s.Length > 255 || s[0] == '-' || s.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw Error(v, $"image \"{Sources.SourceControl.Shown(s ?? "")}\" is not an image reference (NAME[:TAG])");
        return s;
    }

    private static Manifest Resources(Manifest m, YamlNode node)
    {
        if (node is not YamlMappingNode map) throw Error(node, "resources must be a mapping (memory, cpu, pids)");
        foreach (var (k, v) in map.Children)
            m = Key(k) switch
            {
                "memory" => m with { Memory = Scalar(v, "memory") },
                "cpu" => m with { Cpu = Scalar(v, "cpu") },
                "pids" => m with { Pids = Scalar(v, "pids") },
                var other => throw Error(k, $"unknown resource \"{Sources.SourceControl.Shown(other)}\" (expected memory, cpu, pids)"),
            };
        return m;
    }

    private static List<string> Env(YamlNode node) => node switch
    {
        YamlMappingNode map => [.. map.Children.Select(p => $"{Key(p.Key)}={Scalar(p.Value, "env") ?? ""}")],
        YamlSequenceNode => List(node, "env").Select(e => e.Contains('=') ? e : throw Error(node, $"env entry \"{Sources.SourceControl.Shown(e)}\" is not KEY=VALUE")).ToList(),
        _ => throw Error(node, "env must be a mapping or a list of KEY=VALUE"),
    };

    private static string Key(YamlNode node) =>
        node is YamlScalarNode { Value: { } v } ? v : throw Error(node, "keys must be plain names, not lists or mappings");

    private static string? Scalar(YamlNode node, string key) =>
        node is YamlScalarNode s ? s.Value : throw Error(node, $"{key} must be a single value, not a {(node is YamlSequenceNode ? "list" : "mapping")}");

    private static List<string> List(YamlNode node, string key) => node is YamlSequenceNode seq
        ? [.. seq.Children.Select(c => Scalar(c, key) ?? "")]
        : throw Error(node, $"{key} must be a list");

    private static ManifestException Error(YamlNode node, string message) => new($"{At(node.Start)}: {message}");

    private static string At(Mark m) => $"{FileName} line {Math.Max(1, m.Line)}, column {Math.Max(1, m.Column)}";

    /// <summary>"line L, column C: this '[' is never closed" for the first bracket left open, or null.</summary>
    private static string? Unclosed(string yaml)
    {
        var open = new Stack<(char C, int Line, int Column)>();
        int line = 1, col = 0;
        char quote = '\0';
        var comment = false;
        foreach (var c in yaml)
        {
            col++;
            if (c == '\n') { line++; col = 0; comment = false; if (quote == '\'') quote = '\0'; continue; }
            if (comment) continue;
            if (quote != '\0') { if (c == quote) quote = '\0'; continue; }
            switch (c)
            {
                case '"' or '\'' when open.Count > 0: quote = c; break;
                case '#': comment = true; break;
                case '[' or '{': open.Push((c, line, col)); break;
                case ']' or '}' when open.Count > 0: open.Pop(); break;
            }
        }
        if (open.Count == 0) return null;
        var (b, l, k) = open.Last(); // the outermost (earliest) one still open
        var close = b == '[' ? ']' : '}';
        return $"{FileName} line {l}, column {k}: this '{b}' is never closed (a missing '{close}')";
    }
}
