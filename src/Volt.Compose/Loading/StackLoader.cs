using Volt.Compose.Model;
using Volt.Compose.Parsing;
using Volt.Core.Errors;
using Volt.Core.Yaml;
using YamlDotNet.RepresentationModel;

namespace Volt.Compose.Loading;

/// <summary>What <c>volt compose</c> was given: files (<c>-f</c>), project name (<c>-p</c>), profiles, environment.</summary>
public sealed record LoadOptions
{
    public IReadOnlyList<string> Files { get; init; } = [];
    /// <summary>Where discovery looks and relative <c>-f</c> paths start.</summary>
    public required string WorkingDir { get; init; }
    public string? ProjectName { get; init; }
    public string? ProjectDir { get; init; }
    public IReadOnlyList<string> Profiles { get; init; } = [];
    /// <summary><c>--env-file</c>: replaces the project's <c>.env</c>.</summary>
    public IReadOnlyList<string> EnvFiles { get; init; } = [];
    /// <summary>The process environment (tests pass their own).</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
}

/// <summary>
/// Discovers, reads, interpolates, includes, extends and merges stack files into one <see cref="StackModel"/>, then
/// applies profiles and validates references (dependencies, networks, volumes, configs, secrets, cycles).
/// </summary>
public static class StackLoader
{
    /// <summary>Discovery order when no <c>-f</c> is given (after <c>$VOLT_COMPOSE_FILE</c>).</summary>
    public static readonly string[] Candidates =
        ["volt-compose.yaml", "volt-compose.yml", "Voltfile", "compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

    public static IReadOnlyList<string> Discover(LoadOptions o)
    {
        if (o.Files.Count > 0)
        {
            var files = o.Files.Select(f => Path.GetFullPath(f, o.WorkingDir)).ToList();
            foreach (var f in files) if (!File.Exists(f)) throw VoltException.NotFound($"stack file \"{f}\" not found");
            return files;
        }
        if (o.Environment("VOLT_COMPOSE_FILE") is { Length: > 0 } env)
        {
            var files = env.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(f => Path.GetFullPath(f, o.WorkingDir)).ToList();
            foreach (var f in files) if (!File.Exists(f)) throw VoltException.NotFound($"stack file \"{f}\" (VOLT_COMPOSE_FILE) not found");
            return files;
        }
        foreach (var c in Candidates)
        {
            var p = Path.Combine(o.WorkingDir, c);
            if (File.Exists(p)) return [p];
        }
        throw VoltException.NotFound($"no stack file in {o.WorkingDir}: looked for {string.Join(", ", Candidates)} (or give -f FILE)");
    }

    /// <summary>A Constellation by name (volt-compose.*, Voltfile) or by content (containers:, vms: or tasks: at the top).</summary>
    public static bool IsConstellation(string file, YamlNode root)
    {
        var name = Path.GetFileName(file);
        if (name.StartsWith("volt-compose.", StringComparison.Ordinal) || name == "Voltfile") return true;
        return root is YamlMappingNode m && m.Children.Keys.OfType<YamlScalarNode>().Any(k => k.Value is "containers" or "vms" or "tasks");
    }

    public static StackModel Load(LoadOptions o)
    {
        var files = Discover(o);
        var projectDir = o.ProjectDir is { } pd ? Path.GetFullPath(pd, o.WorkingDir) : Path.GetDirectoryName(files[0])!;
        var env = Environment(o, projectDir);
        var model = new StackModel { ProjectDir = projectDir, Files = [.. files] };
        string? name = null;
        var first = true;
        foreach (var f in files)
        {
            var parsed = Read(f, projectDir, env, []);
            if (first) model.Format = parsed.Model.Format;
            first = false;
            name = parsed.Name ?? name;
            Merger.Into(model, parsed.Model);
        }
        model.Name = o.ProjectName is { } p ? StackNames.ValidateStack(p, "-p")
            : name is not null ? StackNames.ValidateStack(name, "name:")
            : env("COMPOSE_PROJECT_NAME") is { Length: > 0 } cp ? StackNames.ValidateStack(cp, "COMPOSE_PROJECT_NAME")
            : StackNames.FromDirectory(projectDir);
        ApplyEnvFiles(model);
        Validator.Validate(model, o.Profiles);
        return model;
    }

    /// <summary>Variables for interpolation: the process environment over <c>.env</c> (or <c>--env-file</c>).</summary>
    private static Func<string, string?> Environment(LoadOptions o, string projectDir)
    {
        var dotenv = new Dictionary<string, string?>(StringComparer.Ordinal);
        var files = o.EnvFiles.Count > 0 ? o.EnvFiles.Select(f => Path.GetFullPath(f, o.WorkingDir)).ToList() : [Path.Combine(projectDir, ".env")];
        foreach (var f in files)
        {
            if (!File.Exists(f))
            {
                if (o.EnvFiles.Count > 0) throw VoltException.NotFound($"env file \"{f}\" not found");
                continue;
            }
            try { foreach (var (k, v) in DotEnv.Parse(File.ReadAllText(f), o.Environment)) dotenv[k] = v; }
            catch (FormatException e) { throw new ComposeException($"{f} {e.Message}"); }
        }
        return k => o.Environment(k) ?? dotenv.GetValueOrDefault(k);
    }

    /// <summary>One file: YAML, interpolation, parse, its includes and its extends resolved.</summary>
    internal static ParsedFile Read(string file, string baseDir, Func<string, string?> env, HashSet<string> including)
    {
        var root = LoadYaml(file, env);
        var parsed = TopLevelParser.Parse(root, file, baseDir, IsConstellation(file, root.Yaml));
        including.Add(file);
        foreach (var (paths, project, envFiles, at) in parsed.Includes)
        {
            foreach (var path in paths)
            {
                if (!File.Exists(path)) throw at.Error($"included file \"{path}\" not found");
                if (including.Contains(path)) throw at.Error($"include cycle: \"{path}\" includes itself");
                var incDir = project ?? Path.GetDirectoryName(path)!;
                var incEnv = env;
                if (envFiles.Count > 0)
                {
                    var vars = new Dictionary<string, string?>(StringComparer.Ordinal);
                    foreach (var ef in envFiles) foreach (var (k, v) in DotEnv.Parse(File.ReadAllText(ef), env)) vars[k] = v;
                    incEnv = k => env(k) ?? vars.GetValueOrDefault(k);
                }
                var inc = Read(path, incDir, incEnv, [.. including]);
                AddIncluded(parsed, inc, at);
            }
        }
        Extender.Resolve(parsed, baseDir, env);
        return parsed;
    }

    private static void AddIncluded(ParsedFile into, ParsedFile inc, Node at)
    {
        void Add<T>(SortedDictionary<string, T> target, SortedDictionary<string, T> source, string what)
        {
            foreach (var (k, v) in source)
                if (!target.TryAdd(k, v)) throw at.Error($"{what} \"{k}\" from \"{inc.File}\" is also defined in \"{into.File}\"");
        }
        Add(into.Model.Workloads, inc.Model.Workloads, "service");
        // Networks, volumes, configs and secrets of the same name are shared, as compose does when they are equal.
        foreach (var (k, v) in inc.Model.Networks) into.Model.Networks.TryAdd(k, v);
        foreach (var (k, v) in inc.Model.Volumes) into.Model.Volumes.TryAdd(k, v);
        Add(into.Model.Configs, inc.Model.Configs, "config");
        Add(into.Model.Secrets, inc.Model.Secrets, "secret");
    }

    /// <summary>The file's root node, every value (not key) interpolated in place.</summary>
    internal static Node LoadYaml(string file, Func<string, string?> env)
    {
        string text;
        try { text = File.ReadAllText(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw VoltException.From($"Failed reading \"{file}\"", e); }
        YamlStream stream;
        try { stream = SafeYaml.Load(text); }
        catch (YamlSyntaxException e) { throw new ComposeException($"{file} line {e.Line}, column {e.Column}: {e.Reason}", e); }
        if (stream.Documents.Count == 0) return new Node(new YamlMappingNode(), file, "");
        if (stream.Documents.Count > 1)
        {
            var d = stream.Documents[1].RootNode;
            throw ComposeException.At(new SourcePos(file, d.Start.Line, d.Start.Column), "", "only one YAML document is allowed");
        }
        var root = new Node(stream.Documents[0].RootNode, file, "");
        MergeKeys(root.Yaml, [], file);
        var interpolator = new Interpolator(env);
        Interpolate(root, interpolator);
        return root;
    }

    /// <summary>
    /// YAML merge keys (<c>&lt;&lt;: *anchor</c>, or a list of anchors), which compose files use with <c>x-</c>
    /// templates: the merged mapping's keys are added where the mapping does not set them itself.
    /// </summary>
    private static void MergeKeys(YamlNode node, HashSet<YamlNode> seen, string file)
    {
        if (!seen.Add(node)) return;
        if (node is YamlSequenceNode seq) { foreach (var c in seq.Children) MergeKeys(c, seen, file); return; }
        if (node is not YamlMappingNode map) return;
        var merge = new YamlScalarNode("<<");
        if (map.Children.TryGetValue(merge, out var source))
        {
            map.Children.Remove(merge);
            var sources = source is YamlSequenceNode list ? list.Children.ToList() : [source];
            foreach (var s in sources)
            {
                if (s is not YamlMappingNode sm)
                    throw ComposeException.At(new SourcePos(file, s.Start.Line, s.Start.Column), "<<", "a merge key must name a mapping (<<: *anchor)");
                MergeKeys(sm, seen, file);
                foreach (var (k, v) in sm.Children) if (!map.Children.ContainsKey(k)) map.Children.Add(k, v);
            }
        }
        foreach (var v in map.Children.Values.ToList()) MergeKeys(v, seen, file);
    }

    private static void Interpolate(Node n, Interpolator i)
    {
        switch (n.Yaml)
        {
            case YamlScalarNode s when s.Value is { } v && v.Contains('$'):
                try { s.Value = i.Apply(v); }
                catch (InterpolationException e) { throw n.Error(e.Message); }
                break;
            case YamlMappingNode m:
                foreach (var (k, v) in m.Children)
                    Interpolate(new Node(v, n.File, n.Child(k is YamlScalarNode ks ? ks.Value ?? "" : "?")), i);
                break;
            case YamlSequenceNode q:
                var idx = 0;
                foreach (var c in q.Children) Interpolate(new Node(c, n.File, $"{n.Path}[{idx++}]"), i);
                break;
        }
    }

    /// <summary><c>env_file</c> contents under <c>environment</c> (explicit entries win), as compose's config shows them.</summary>
    private static void ApplyEnvFiles(StackModel model)
    {
        foreach (var w in model.Workloads.Values)
        {
            if (w.EnvFiles.Count == 0) continue;
            var merged = new SortedDictionary<string, string?>(StringComparer.Ordinal);
            foreach (var ef in w.EnvFiles)
            {
                if (!File.Exists(ef.Path))
                {
                    if (ef.Required) throw ComposeException.At(w.Pos, $"services.{w.Name}.env_file", $"env file \"{ef.Path}\" not found");
                    continue;
                }
                try { foreach (var (k, v) in DotEnv.Parse(File.ReadAllText(ef.Path))) merged[k] = v; }
                catch (FormatException e) { throw new ComposeException($"{ef.Path} {e.Message}"); }
            }
            foreach (var (k, v) in w.Environment) merged[k] = v;
            w.Environment = merged;
            w.EnvFiles = [];
        }
    }
}
