using Volt.Compose.Model;
using Volt.Workloads.Model;

namespace Volt.Compose.Parsing;

/// <summary>One file's content before <c>include</c>, <c>extends</c> and merging are applied.</summary>
internal sealed class ParsedFile
{
    public required string File { get; init; }
    public StackModel Model { get; } = new();
    public string? Name { get; set; }
    public Dictionary<string, (string Service, string? File, Node At)> Extends { get; } = new(StringComparer.Ordinal);
    public List<(List<string> Paths, string? ProjectDir, List<string> EnvFiles, Node At)> Includes { get; } = [];
    /// <summary>Where each top-level entry was defined, for "defined twice" errors across includes.</summary>
    public Dictionary<string, SourcePos> Where { get; } = new(StringComparer.Ordinal);
}

/// <summary>The top level of a compose-spec file or a Constellation, strictly (unknown keys are errors; x-* ignored).</summary>
internal static class TopLevelParser
{
    private static readonly string[] ComposeKeys = ["version", "name", "services", "networks", "volumes", "configs", "secrets", "include"];
    private static readonly string[] ConstellationKeys = ["version", "name", "description", "containers", "vms", "services", "tasks", "networks", "volumes", "configs", "secrets", "include"];

    public static ParsedFile Parse(Node root, string file, string baseDir, bool constellation)
    {
        var p = new ParsedFile { File = file };
        p.Model.Format = constellation ? "constellation" : "compose";
        var keys = constellation ? ConstellationKeys : ComposeKeys;
        var sawVersion = false;
        foreach (var (key, k, v) in root.Map("a mapping (services:, networks:, …)"))
        {
            if (key.StartsWith("x-", StringComparison.Ordinal)) continue;
            switch (key)
            {
                case "version":
                    sawVersion = true;
                    var version = v.IsNull ? "" : v.String();
                    if (constellation && version != "1") throw v.Error($"must be \"1\" for a Constellation, not \"{version}\"");
                    break;
                case "name": p.Name = v.String(); break;
                case "description": p.Model.Description = v.String(); break;
                case "services" when !constellation: Workloads(p, v, baseDir, WorkloadKind.Container); break;
                case "containers": Workloads(p, v, baseDir, WorkloadKind.Container); break;
                case "services": Workloads(p, v, baseDir, WorkloadKind.Service); break;
                case "tasks": Workloads(p, v, baseDir, WorkloadKind.Task); break;
                case "vms": Workloads(p, v, baseDir, WorkloadKind.Vm); break;
                case "networks": foreach (var (n, _, e) in v.Map()) p.Model.Networks[n] = Network(n, e); break;
                case "volumes": foreach (var (n, _, e) in v.Map()) p.Model.Volumes[n] = Volume(n, e); break;
                case "configs": foreach (var (n, _, e) in v.Map()) p.Model.Configs[n] = FileObject(n, e, baseDir, configs: true); break;
                case "secrets": foreach (var (n, _, e) in v.Map()) p.Model.Secrets[n] = FileObject(n, e, baseDir, configs: false); break;
                case "include": foreach (var e in v.List()) p.Includes.Add(Include(e, baseDir)); break;
                default: throw Node.Unknown(k, key, keys);
            }
        }
        if (constellation && !sawVersion) throw root.Error("version: \"1\" is required in a Constellation");
        return p;
    }

    private static void Workloads(ParsedFile p, Node v, string baseDir, WorkloadKind kind)
    {
        foreach (var (name, k, e) in v.Map())
        {
            if (!StackNames.IsServiceName(name)) throw k.Error($"\"{name}\" is not a valid name (letters, digits, '_', '.', '-', starting with a letter or digit)");
            if (p.Model.Workloads.ContainsKey(name)) throw k.Error($"\"{name}\" is already defined as a {p.Model.Workloads[name].Kind.Word()}");
            var (spec, extends) = kind switch
            {
                WorkloadKind.Container => ServiceParser.Parse(name, e, baseDir),
                _ => (HostWorkloadParser.Parse(name, e, kind), null),
            };
            spec.Kind = kind;
            p.Model.Workloads[name] = spec;
            if (extends is { } x) p.Extends[name] = x;
        }
    }

    private static NetworkSpec Network(string name, Node v)
    {
        var n = new NetworkSpec { Name = name, Pos = v.Pos };
        var external = false;
        string? extName = null;
        foreach (var (key, k, e) in v.Map())
            switch (key)
            {
                case "driver": n.Driver = e.String(); if (n.Driver is not ("bridge" or "default")) throw e.Error($"only the bridge driver is supported, not \"{n.Driver}\""); break;
                case "external": External(e, ref external, ref extName); break;
                case "name": n.ExternalName = e.String(); break;
                case "internal": n.Internal = e.Bool(); break;
                case "subnet": n.Subnet = Cidr(e); break;
                case "labels": foreach (var (lk, lv) in ServiceParser.KeyValues(e)) n.Labels[lk] = lv ?? ""; break;
                case "attachable" or "enable_ipv6": e.Bool(); break;
                case "driver_opts": foreach (var _ in e.Map()) { } break;
                case "ipam":
                    foreach (var (ik, ikn, i) in e.Map())
                        switch (ik)
                        {
                            case "driver": if (i.String() != "default") throw i.Error("only the default IPAM driver is supported"); break;
                            case "config":
                                foreach (var c in i.List())
                                    foreach (var (ck, ckn, cv) in c.Map())
                                        switch (ck)
                                        {
                                            case "subnet": n.Subnet ??= Cidr(cv); break;
                                            case "gateway" or "ip_range": cv.String(); break;
                                            case "aux_addresses": foreach (var _ in cv.Map()) { } break;
                                            default: throw Node.Unknown(ckn, ck, ["subnet", "gateway", "ip_range", "aux_addresses"]);
                                        }
                                break;
                            case "options": foreach (var _ in i.Map()) { } break;
                            default: throw Node.Unknown(ikn, ik, ["driver", "config", "options"]);
                        }
                    break;
                default: throw Node.Unknown(k, key, ["driver", "external", "name", "internal", "subnet", "labels", "attachable", "enable_ipv6", "driver_opts", "ipam"]);
            }
        n.External = external;
        n.ExternalName ??= extName;
        return n;
    }

    private static string Cidr(Node e)
    {
        var s = e.String();
        var slash = s.IndexOf('/');
        if (slash < 0 || !System.Net.IPAddress.TryParse(s[..slash], out var a) || a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || !int.TryParse(s[(slash + 1)..], out var len) || len is < 8 or > 30)
            throw e.Error($"\"{s}\" is not an IPv4 subnet such as 10.30.0.0/24");
        return s;
    }

    private static void External(Node e, ref bool external, ref string? name)
    {
        if (e.IsMap)
        {
            external = true;
            foreach (var (key, k, v) in e.Map())
                if (key == "name") name = v.String(); else throw Node.Unknown(k, key, ["name"]);
            return;
        }
        external = e.Bool();
    }

    private static VolumeSpec Volume(string name, Node v)
    {
        var s = new VolumeSpec { Name = name, Pos = v.Pos };
        var external = false;
        string? extName = null;
        foreach (var (key, k, e) in v.Map())
            switch (key)
            {
                case "driver": s.Driver = e.String(); if (s.Driver is not ("local" or "")) throw e.Error($"only the local driver is supported, not \"{s.Driver}\""); break;
                case "driver_opts": foreach (var _ in e.Map()) { } break;
                case "external": External(e, ref external, ref extName); break;
                case "name": s.ExternalName = e.String(); break;
                case "labels": foreach (var (lk, lv) in ServiceParser.KeyValues(e)) s.Labels[lk] = lv ?? ""; break;
                default: throw Node.Unknown(k, key, ["driver", "driver_opts", "external", "name", "labels"]);
            }
        s.External = external;
        s.ExternalName ??= extName;
        return s;
    }

    private static FileObjectSpec FileObject(string name, Node v, string baseDir, bool configs)
    {
        var f = new FileObjectSpec { Name = name, Pos = v.Pos };
        var external = false;
        string? extName = null;
        string[] keys = configs ? ["file", "environment", "content", "external", "name", "labels", "template_driver"] : ["file", "environment", "external", "name", "labels", "template_driver"];
        foreach (var (key, k, e) in v.Map())
            switch (key)
            {
                case "file": f.File = Path.GetFullPath(e.String(), baseDir); break;
                case "environment": f.Environment = e.String(); break;
                case "content" when configs: f.Content = e.String(); break;
                case "external": External(e, ref external, ref extName); break;
                case "name": f.ExternalName = e.String(); break;
                case "labels": _ = ServiceParser.KeyValues(e).ToList(); break;
                case "template_driver": e.String(); break;
                default: throw Node.Unknown(k, key, keys);
            }
        f.External = external;
        var sources = (f.File is null ? 0 : 1) + (f.Environment is null ? 0 : 1) + (f.Content is null ? 0 : 1) + (external ? 1 : 0);
        if (sources != 1) throw v.Error($"needs exactly one of file:, environment:{(configs ? ", content:" : "")} or external:");
        if (external) throw v.Error("external configs and secrets are not supported (give file: or environment:)");
        return f;
    }

    private static (List<string>, string?, List<string>, Node) Include(Node e, string baseDir)
    {
        if (e.IsScalar) return ([Path.GetFullPath(e.String(), baseDir)], null, [], e);
        List<string>? paths = null;
        string? project = null;
        var envFiles = new List<string>();
        foreach (var (key, k, v) in e.Map())
            switch (key)
            {
                case "path": paths = [.. v.StringList().Select(s => Path.GetFullPath(s, baseDir))]; break;
                case "project_directory": project = Path.GetFullPath(v.String(), baseDir); break;
                case "env_file": envFiles = [.. v.StringList().Select(s => Path.GetFullPath(s, baseDir))]; break;
                default: throw Node.Unknown(k, key, ["path", "project_directory", "env_file"]);
            }
        return (paths ?? throw e.Error("needs path:"), project, envFiles, e);
    }
}
