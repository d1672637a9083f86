using Volt.Compose.Model;
using Volt.Compose.Parsing;

namespace Volt.Compose.Loading;

/// <summary>
/// compose-spec <c>extends</c>: a service starts from another one (in the same file, or in <c>file:</c>, whose
/// relative paths stay relative to that file) and overrides it by the merge rules. Chains resolve; cycles are errors.
/// </summary>
internal static class Extender
{
    public static void Resolve(ParsedFile file, string baseDir, Func<string, string?> env)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in file.Extends.Keys.ToList()) Resolve(file, name, baseDir, env, done, []);
    }

    private static WorkloadSpec Resolve(ParsedFile file, string name, string baseDir, Func<string, string?> env, HashSet<string> done, List<string> chain)
    {
        var spec = file.Model.Workloads[name];
        if (done.Contains(name) || !file.Extends.TryGetValue(name, out var ext)) return spec;
        var key = $"{file.File}:{name}";
        if (chain.Contains(key)) throw ext.At.Error($"extends cycle: {string.Join(" -> ", chain.Select(c => c.Split(':')[^1]))} -> {name}");
        chain.Add(key);
        WorkloadSpec baseSpec;
        if (ext.File is null)
        {
            if (!file.Model.Workloads.ContainsKey(ext.Service)) throw ext.At.Error($"extends service \"{ext.Service}\", which is not defined");
            baseSpec = Resolve(file, ext.Service, baseDir, env, done, chain);
        }
        else
        {
            var path = Path.GetFullPath(ext.File, Path.GetDirectoryName(file.File)!);
            if (!File.Exists(path)) throw ext.At.Error($"extends file \"{path}\" not found");
            var other = TopLevelParser.Parse(StackLoader.LoadYaml(path, env), path, Path.GetDirectoryName(path)!, StackLoader.IsConstellation(path, new YamlDotNet.RepresentationModel.YamlMappingNode()));
            if (!other.Model.Workloads.ContainsKey(ext.Service)) throw ext.At.Error($"extends service \"{ext.Service}\", which \"{path}\" does not define");
            baseSpec = Resolve(other, ext.Service, Path.GetDirectoryName(path)!, env, [], chain);
        }
        chain.RemoveAt(chain.Count - 1);
        var merged = Merger.Service(baseSpec, spec);
        file.Model.Workloads[name] = merged;
        done.Add(name);
        return merged;
    }
}
