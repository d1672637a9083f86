using Volt.Compose.Model;

namespace Volt.Compose.Parsing;

/// <summary>
/// One compose-spec service (or Constellation container) → <see cref="WorkloadSpec"/>, strictly: an unknown key or
/// a value of the wrong type is a <see cref="ComposeException"/> at its position. Relative paths are resolved against
/// <c>baseDir</c>. <c>extends</c> is returned to the loader, which resolves it.
/// </summary>
internal static partial class ServiceParser
{
    public static readonly string[] Keys =
    [
        "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "expose", "volumes", "tmpfs",
        "configs", "secrets", "networks", "network_mode", "depends_on", "healthcheck", "restart", "working_dir", "user",
        "hostname", "labels", "stop_signal", "stop_grace_period", "deploy", "container_name", "profiles", "extends",
        "init", "read_only", "mem_limit", "cpus", "pids_limit", "cap_add", "cap_drop", "security_opt",
    ];

    /// <summary>The service and its <c>extends</c> (service, file or null), if any.</summary>
    public static (WorkloadSpec Spec, (string Service, string? File, Node At)? Extends) Parse(string name, Node node, string baseDir)
    {
        var w = new WorkloadSpec { Name = name, Pos = node.Pos };
        (string, string?, Node)? extends = null;
        foreach (var (key, k, v) in node.Map("a mapping of service settings"))
        {
            if (key == "x-volt-sandbox") { foreach (var (sk, _, sv) in v.Map("a mapping of landlock, seccomp, mode")) w.Sandbox[sk] = sv.String(); continue; }
            if (key.StartsWith("x-", StringComparison.Ordinal)) continue;
            switch (key)
            {
                case "image": w.Image = v.StringOrNull(); break;
                case "build": w.Build = Build(v, baseDir); break;
                case "command": w.Command = CommandLine(v); break;
                case "entrypoint": w.Entrypoint = CommandLine(v); break;
                case "environment": foreach (var (ek, ev) in KeyValues(v)) w.Environment[ek] = ev; break;
                case "env_file": w.EnvFiles = EnvFiles(v, baseDir); break;
                case "ports": w.Ports = [.. v.List().SelectMany(Ports)]; break;
                case "expose": w.Expose = [.. v.List().Select(e => e.String())]; break;
                case "volumes": w.Volumes.AddRange(v.List().Select(m => Mount(m, baseDir))); break; // tmpfs: may come first
                case "tmpfs": foreach (var t in v.IsScalar ? [v] : v.List().ToList()) w.Volumes.Add(ShortTmpfs(t, t.String())); break;
                case "configs": w.Configs = [.. v.List().Select(FileMount)]; break;
                case "secrets": w.Secrets = [.. v.List().Select(FileMount)]; break;
                case "networks": w.Networks = Networks(v); break;
                case "network_mode": w.NetworkMode = v.String(); break;
                case "depends_on": w.DependsOn = DependsOn(v); break;
                case "healthcheck": w.Healthcheck = Healthcheck(v); break;
                case "restart": w.Restart = Restart(v); break;
                case "working_dir": w.WorkingDir = v.String(); break;
                case "user": w.User = v.String(); break;
                case "hostname": w.Hostname = v.String(); break;
                case "labels": foreach (var (lk, lv) in KeyValues(v)) w.Labels[lk] = lv ?? ""; break;
                case "stop_signal": w.StopSignal = v.String(); break;
                case "stop_grace_period": w.StopGracePeriod = v.Duration(); break;
                case "deploy": Deploy(w.Deploy, v); break;
                case "container_name": w.ContainerName = v.String(); break;
                case "profiles": w.Profiles = v.Strings(); break;
                case "extends": extends = Extends(v); break;
                case "init": w.Init = v.Bool(); break;
                case "read_only": w.ReadOnly = v.Bool(); break;
                case "mem_limit": w.Deploy.MemoryBytes = v.Bytes(); break;
                case "cpus": w.Deploy.Cpus = v.Double(); break;
                case "pids_limit": w.Deploy.Pids = v.Int(-1); break;
                case "cap_add": w.CapAdd = v.Strings(); break;
                case "cap_drop": w.CapDrop = v.Strings(); break;
                case "security_opt": w.SecurityOpt = v.Strings(); break;
                default: throw Node.Unknown(k, key, Keys);
            }
        }
        return (w, extends);
    }

    private static (string, string?, Node) Extends(Node v)
    {
        if (v.IsScalar) return (v.String(), null, v);
        string? service = null, file = null;
        foreach (var (key, k, e) in v.Map())
            switch (key)
            {
                case "service": service = e.String(); break;
                case "file": file = e.String(); break;
                default: throw Node.Unknown(k, key, ["service", "file"]);
            }
        return (service ?? throw v.Error("needs service:"), file, v);
    }

    private static BuildSpec Build(Node v, string baseDir)
    {
        if (v.IsScalar) return new BuildSpec(Path.GetFullPath(v.String(), baseDir), null, null, new Dictionary<string, string?>());
        string context = ".";
        string? dockerfile = null, target = null;
        var args = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, k, e) in v.Map())
            switch (key)
            {
                case "context": context = e.String(); break;
                case "dockerfile": dockerfile = e.String(); break;
                case "target": target = e.String(); break;
                case "args": foreach (var (a, av) in KeyValues(e)) args[a] = av; break;
                case var x when x.StartsWith("x-", StringComparison.Ordinal): break;
                default: throw Node.Unknown(k, key, ["context", "dockerfile", "target", "args"]);
            }
        return new BuildSpec(Path.GetFullPath(context, baseDir), dockerfile, target, args);
    }

    /// <summary>A string (split into shell words) or a list; null clears (the image's default).</summary>
    internal static List<string>? CommandLine(Node v)
    {
        if (v.IsNull) return null;
        if (v.IsScalar)
        {
            try { return ShellWords.Split(v.String()); }
            catch (FormatException e) { throw v.Error(e.Message); }
        }
        return v.Strings();
    }

    /// <summary><c>environment</c>/<c>labels</c>: a map (null value = from the environment) or a list of KEY[=VALUE].</summary>
    internal static IEnumerable<(string, string?)> KeyValues(Node v)
    {
        if (v.IsList)
        {
            foreach (var e in v.List())
            {
                var s = e.String();
                var eq = s.IndexOf('=');
                var key = eq < 0 ? s : s[..eq];
                if (key.Length == 0) throw e.Error($"\"{s}\" is not KEY=VALUE");
                yield return (key, eq < 0 ? null : s[(eq + 1)..]);
            }
            yield break;
        }
        foreach (var (key, _, e) in v.Map("a mapping or a list of KEY=VALUE"))
            yield return (key, e.IsNull ? null : e.IsScalar ? e.String() : throw e.Error("must be a single value"));
    }

    private static List<EnvFileRef> EnvFiles(Node v, string baseDir)
    {
        if (v.IsScalar) return [new EnvFileRef(Path.GetFullPath(v.String(), baseDir), true)];
        var list = new List<EnvFileRef>();
        foreach (var e in v.List("a path or a list of paths"))
        {
            if (e.IsScalar) { list.Add(new EnvFileRef(Path.GetFullPath(e.String(), baseDir), true)); continue; }
            string? path = null;
            var required = true;
            foreach (var (key, k, f) in e.Map())
                switch (key)
                {
                    case "path": path = f.String(); break;
                    case "required": required = f.Bool(); break;
                    case "format": if (f.String() != "raw" && f.String() != "") throw f.Error("only the default format is supported"); break;
                    default: throw Node.Unknown(k, key, ["path", "required", "format"]);
                }
            list.Add(new EnvFileRef(Path.GetFullPath(path ?? throw e.Error("needs path:"), baseDir), required));
        }
        return list;
    }

    private static SortedDictionary<string, ServiceNetwork> Networks(Node v)
    {
        var result = new SortedDictionary<string, ServiceNetwork>(StringComparer.Ordinal);
        if (v.IsList)
        {
            foreach (var e in v.List()) result[e.String()] = new ServiceNetwork([], null);
            return result;
        }
        foreach (var (name, _, e) in v.Map("a list of network names or a mapping"))
        {
            var aliases = new List<string>();
            string? ip = null;
            SourcePos? ipPos = null;
            int? priority = null;
            foreach (var (key, k, f) in e.Map())
                switch (key)
                {
                    case "aliases": aliases = f.Strings(); break;
                    case "ipv4_address": ip = f.String(); if (!System.Net.IPAddress.TryParse(ip, out var a) || a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork) throw f.Error($"\"{ip}\" is not an IPv4 address"); ipPos = f.Pos; break;
                    case "priority": priority = f.Int(); break;
                    default: throw Node.Unknown(k, key, ["aliases", "ipv4_address", "priority"]);
                }
            result[name] = new ServiceNetwork(aliases, ip, priority, ipPos);
        }
        return result;
    }

    private static readonly string[] DependsKeys = ["condition", "restart", "required"];

    private static SortedDictionary<string, DependencySpec> DependsOn(Node v)
    {
        var result = new SortedDictionary<string, DependencySpec>(StringComparer.Ordinal);
        if (v.IsList)
        {
            foreach (var e in v.List())
            {
                var name = e.String();
                if (!result.TryAdd(name, new DependencySpec(DependencyCondition.ServiceStarted, false, true, e.Pos))) throw e.Error($"\"{name}\" is listed twice");
            }
            return result;
        }
        foreach (var (name, kn, e) in v.Map("a list of service names or a mapping"))
        {
            var condition = DependencyCondition.ServiceStarted;
            bool restart = false, required = true;
            foreach (var (key, k, f) in e.Map())
                switch (key)
                {
                    case "condition":
                        condition = f.String() switch
                        {
                            "service_started" => DependencyCondition.ServiceStarted,
                            "service_healthy" => DependencyCondition.ServiceHealthy,
                            "service_completed_successfully" => DependencyCondition.ServiceCompletedSuccessfully,
                            var c => throw f.Error($"unknown condition \"{c}\" (expected service_started, service_healthy or service_completed_successfully)"),
                        };
                        break;
                    case "restart": restart = f.Bool(); break;
                    case "required": required = f.Bool(); break;
                    default: throw Node.Unknown(k, key, DependsKeys);
                }
            result[name] = new DependencySpec(condition, restart, required, kn.Pos);
        }
        return result;
    }

    private static HealthcheckSpec Healthcheck(Node v)
    {
        var h = new HealthcheckSpec();
        foreach (var (key, k, e) in v.Map())
            switch (key)
            {
                case "test":
                    if (e.IsScalar) { h.Test = ["CMD-SHELL", e.String()]; break; }
                    var t = e.Strings();
                    if (t is not (["CMD", _, ..] or ["CMD-SHELL", _] or ["NONE"])) throw e.Error("must be a string, [\"CMD\", args…], [\"CMD-SHELL\", command] or [\"NONE\"]");
                    h.Test = t;
                    break;
                case "interval": h.Interval = e.Duration(); break;
                case "timeout": h.Timeout = e.Duration(); break;
                case "start_period": h.StartPeriod = e.Duration(); break;
                case "start_interval": h.StartInterval = e.Duration(); break;
                case "retries": h.Retries = e.Int(0); break;
                case "disable": h.Disable = e.Bool(); break;
                default: throw Node.Unknown(k, key, ["test", "interval", "timeout", "start_period", "start_interval", "retries", "disable"]);
            }
        return h;
    }

    private static string Restart(Node v)
    {
        var s = v.String();
        if (s is "no" or "always" or "on-failure" or "unless-stopped") return s;
        if (s.StartsWith("on-failure:", StringComparison.Ordinal) && int.TryParse(s[11..], out var n) && n >= 0) return s;
        throw v.Error($"must be no, always, on-failure[:N] or unless-stopped, not \"{s}\"");
    }

    private static void Deploy(DeploySpec d, Node v)
    {
        foreach (var (key, k, e) in v.Map())
            switch (key)
            {
                case "replicas": d.Replicas = e.Int(0, 1000); break;
                case "mode": if (e.String() != "replicated") throw e.Error($"only mode replicated is supported, not \"{e.String()}\""); break;
                case "resources":
                    foreach (var (rk, rkn, r) in e.Map())
                        switch (rk)
                        {
                            case "limits":
                                foreach (var (lk, lkn, l) in r.Map())
                                    switch (lk)
                                    {
                                        case "cpus": d.Cpus = l.Double(); if (d.Cpus <= 0) throw l.Error("must be more than 0"); break;
                                        case "memory": d.MemoryBytes = l.Bytes(); break;
                                        case "pids": d.Pids = l.Int(1); break;
                                        default: throw Node.Unknown(lkn, lk, ["cpus", "memory", "pids"]);
                                    }
                                break;
                            case "reservations":
                                foreach (var (lk, lkn, _) in r.Map())
                                    if (lk is not ("cpus" or "memory")) throw Node.Unknown(lkn, lk, ["cpus", "memory"]);
                                break;
                            default: throw Node.Unknown(rkn, rk, ["limits", "reservations"]);
                        }
                    break;
                case "update_config" or "rollback_config":
                    foreach (var (uk, ukn, u) in e.Map())
                        switch (uk)
                        {
                            case "order":
                                var order = u.String();
                                if (order is not ("start-first" or "stop-first")) throw u.Error($"must be start-first or stop-first, not \"{order}\"");
                                if (key == "update_config") d.UpdateOrder = order;
                                break;
                            case "parallelism": u.Int(0); break;
                            case "delay" or "monitor": u.Duration(); break;
                            case "failure_action": if (u.String() is not ("rollback" or "pause" or "continue")) throw u.Error("must be rollback, pause or continue"); break;
                            case "max_failure_ratio": u.Double(); break;
                            default: throw Node.Unknown(ukn, uk, ["order", "parallelism", "delay", "monitor", "failure_action", "max_failure_ratio"]);
                        }
                    break;
                case "restart_policy":
                    foreach (var (pk, pkn, p) in e.Map())
                        switch (pk)
                        {
                            case "condition":
                                d.RestartCondition = p.String() is var c && c is "none" or "on-failure" or "any" ? c : throw p.Error("must be none, on-failure or any");
                                break;
                            case "max_attempts": d.RestartMaxAttempts = p.Int(0); break;
                            case "delay" or "window": p.Duration(); break;
                            default: throw Node.Unknown(pkn, pk, ["condition", "max_attempts", "delay", "window"]);
                        }
                    break;
                case "labels": _ = KeyValues(e).ToList(); break;
                default: throw Node.Unknown(k, key, ["replicas", "mode", "resources", "update_config", "rollback_config", "restart_policy", "labels"]);
            }
    }
}
