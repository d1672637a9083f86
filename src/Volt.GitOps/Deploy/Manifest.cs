using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Volt.GitOps.Deploy;

/// <summary>
/// <c>volt-manifest.yaml</c>: one workload (a container now; <c>kind: vm</c> later).
/// <code>
/// kind: container            # optional, the only kind so far
/// name: web                  # optional; must equal the pipeline's --workload
/// image: busybox:latest      # an image in Volt's image store …
/// build: ./rootfs            # … or a directory in the repo, built with build-from-dir (exactly one of the two)
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

/// <summary>A manifest error that names the line (1-based) it was found on.</summary>
public sealed class ManifestException(string message) : Exception(message);

/// <summary>Parses <see cref="Manifest"/> through YamlDotNet's representation model (AOT-safe, with line numbers).</summary>
public static class ManifestParser
{
    public const string FileName = "volt-manifest.yaml";

    public static Manifest Parse(string yaml)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e) { throw new ManifestException($"{FileName} line {e.Start.Line}: {e.Message}"); }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ManifestException($"{FileName} line 1: expected a mapping (image:, command:, …)");
        var m = new Manifest();
        foreach (var (k, v) in root.Children)
        {
            var key = ((YamlScalarNode)k).Value;
            m = key switch
            {
                "kind" => Scalar(v, key) is "container" ? m : throw Error(v, "kind must be \"container\" (vm is not supported yet)"),
                "name" => m with { Name = Scalar(v, key) },
                "image" => m with { Image = Scalar(v, key) },
                "build" => m with { Build = Scalar(v, key) },
                "command" => m with { Command = v is YamlScalarNode ? Scalar(v, key)!.Split(' ', StringSplitOptions.RemoveEmptyEntries) : List(v, key) },
                "env" => m with { Env = Env(v) },
                "ports" => m with { Ports = List(v, key) },
                "volumes" => m with { Volumes = List(v, key) },
                "resources" => Resources(m, v),
                "restart" => m with { Restart = Scalar(v, key) is var r && r is "no" or "on-failure" or "always" ? r : throw Error(v, "restart must be no, on-failure or always") },
                _ => throw Error(k, $"unknown key \"{key}\" (expected kind, name, image, build, command, env, ports, volumes, resources, restart)"),
            };
        }
        if ((m.Image is null) == (m.Build is null)) throw new ManifestException($"{FileName} line {root.Start.Line}: exactly one of image: or build: is required");
        if (m.Build is { } b && (b.StartsWith('/') || b.Split('/').Contains(".."))) throw Error(root, "build: must be a directory inside the repository");
        return m;
    }

    private static Manifest Resources(Manifest m, YamlNode node)
    {
        if (node is not YamlMappingNode map) throw Error(node, "resources must be a mapping (memory, cpu, pids)");
        foreach (var (k, v) in map.Children)
            m = ((YamlScalarNode)k).Value switch
            {
                "memory" => m with { Memory = Scalar(v, "memory") },
                "cpu" => m with { Cpu = Scalar(v, "cpu") },
                "pids" => m with { Pids = Scalar(v, "pids") },
                var other => throw Error(k, $"unknown resource \"{other}\" (expected memory, cpu, pids)"),
            };
        return m;
    }

    private static List<string> Env(YamlNode node) => node switch
    {
        YamlMappingNode map => [.. map.Children.Select(p => $"{Scalar(p.Key, "env")}={Scalar(p.Value, "env") ?? ""}")],
        YamlSequenceNode => List(node, "env").Select(e => e.Contains('=') ? e : throw Error(node, $"env entry \"{e}\" is not KEY=VALUE")).ToList(),
        _ => throw Error(node, "env must be a mapping or a list of KEY=VALUE"),
    };

    private static string? Scalar(YamlNode node, string key) =>
        node is YamlScalarNode s ? s.Value : throw Error(node, $"{key} must be a single value");

    private static List<string> List(YamlNode node, string key) => node is YamlSequenceNode seq
        ? [.. seq.Children.Select(c => Scalar(c, key) ?? "")]
        : throw Error(node, $"{key} must be a list");

    private static ManifestException Error(YamlNode node, string message) => new($"{FileName} line {node.Start.Line}: {message}");
}
