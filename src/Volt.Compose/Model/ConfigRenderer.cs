using System.Text.Json.Nodes;
using Volt.Compose.Loading;
using Volt.Compose.Parsing;
using Volt.Workloads.Model;

namespace Volt.Compose.Model;

/// <summary>
/// <c>volt compose config</c>: the resolved model as one canonical tree (keys in a fixed order, long syntaxes,
/// absolute paths, the names Volt gives networks and volumes), rendered as YAML or JSON by the CLI.
/// </summary>
public static class ConfigRenderer
{
    public static JsonObject Render(StackModel m)
    {
        var root = new JsonObject { ["name"] = m.Name };
        if (m.Description is { } d) root["description"] = d;
        foreach (var group in m.Workloads.Values.GroupBy(w => Validator.Section(m, w).Split('.')[0]).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var section = new JsonObject();
            foreach (var w in group.OrderBy(w => w.Name, StringComparer.Ordinal)) section[w.Name] = Workload(w);
            root[group.Key] = section;
        }
        if (m.Networks.Count > 0) root["networks"] = Obj(m.Networks, n => Network(m, n));
        if (m.Volumes.Count > 0) root["volumes"] = Obj(m.Volumes, v => Volume(m, v));
        if (m.Configs.Count > 0) root["configs"] = Obj(m.Configs, f => FileObject(m, f));
        if (m.Secrets.Count > 0) root["secrets"] = Obj(m.Secrets, f => FileObject(m, f));
        return root;
    }

    private static JsonObject Obj<T>(SortedDictionary<string, T> map, Func<T, JsonNode?> f)
    {
        var o = new JsonObject();
        foreach (var (k, v) in map) o[k] = f(v);
        return o;
    }

    private static JsonArray Arr(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode)i)]);

    private static JsonObject Workload(WorkloadSpec w)
    {
        var o = new JsonObject();
        void Set(string key, JsonNode? value) { if (value is not null) o[key] = value; }
        if (w.Build is { } b)
        {
            var bo = new JsonObject { ["context"] = b.Context };
            if (b.Dockerfile is { } df) bo["dockerfile"] = df;
            if (b.Target is { } t) bo["target"] = t;
            if (b.Args.Count > 0) bo["args"] = Obj(new SortedDictionary<string, string?>(b.Args.ToDictionary(), StringComparer.Ordinal), v => v);
            o["build"] = bo;
        }
        if (w.CapAdd.Count > 0) o["cap_add"] = Arr(w.CapAdd);
        if (w.CapDrop.Count > 0) o["cap_drop"] = Arr(w.CapDrop);
        Set("command", w.Command is { } c ? Arr(c) : null);
        Set("container_name", w.ContainerName);
        if (w.Kind == WorkloadKind.Vm)
        {
            Set("cpu", w.VmCpus);
            Set("memory", w.VmMemory);
            Set("kernel", w.VmKernel);
        }
        if (w.DependsOn.Count > 0)
            o["depends_on"] = Obj(w.DependsOn, d => new JsonObject
            {
                ["condition"] = d.Condition switch
                {
                    DependencyCondition.ServiceHealthy => "service_healthy",
                    DependencyCondition.ServiceCompletedSuccessfully => "service_completed_successfully",
                    _ => "service_started",
                },
                ["required"] = d.Required, ["restart"] = d.Restart,
            });
        var deploy = Deploy(w.Deploy);
        Set("deploy", deploy);
        Set("description", w.Description);
        Set("entrypoint", w.Entrypoint is { } e ? Arr(e) : null);
        if (w.Environment.Count > 0) o["environment"] = Obj(w.Environment, v => v);
        if (w.Expose.Count > 0) o["expose"] = Arr(w.Expose);
        if (w.Healthcheck is { } h) o["healthcheck"] = Health(h);
        Set("hostname", w.Hostname);
        Set("image", w.Image);
        Set("init", w.Init);
        if (w.Labels.Count > 0) o["labels"] = Obj(w.Labels, v => v);
        Set("network_mode", w.NetworkMode);
        if (w.Networks.Count > 0)
            o["networks"] = Obj(w.Networks, n =>
            {
                if (n.Aliases.Count == 0 && n.Ipv4Address is null && n.Priority is null) return null;
                var no = new JsonObject();
                if (n.Aliases.Count > 0) no["aliases"] = Arr(n.Aliases);
                if (n.Ipv4Address is { } ip) no["ipv4_address"] = ip;
                if (n.Priority is { } p) no["priority"] = p;
                return no;
            });
        if (w.Ports.Count > 0)
            o["ports"] = new JsonArray([.. w.Ports.Select(p =>
            {
                var po = new JsonObject { ["mode"] = p.Mode, ["target"] = p.Target };
                if (p.Published is { } pub) po["published"] = pub.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (p.HostIp is { } hip) po["host_ip"] = hip;
                po["protocol"] = p.Protocol;
                return (JsonNode)po;
            })]);
        if (w.Profiles.Count > 0) o["profiles"] = Arr(w.Profiles);
        Set("read_only", w.ReadOnly);
        Set("restart", w.Restart);
        Set("schedule", w.Schedule);
        if (w.Secrets.Count > 0) o["secrets"] = FileMounts(w.Secrets);
        if (w.Configs.Count > 0) o["configs"] = FileMounts(w.Configs);
        if (w.SecurityOpt.Count > 0) o["security_opt"] = Arr(w.SecurityOpt);
        Set("stop_grace_period", w.StopGracePeriod is { } g ? Durations.Format(g) : null);
        Set("stop_signal", w.StopSignal);
        Set("user", w.User);
        if (w.Sandbox.Count > 0) o["x-volt-sandbox"] = Obj(w.Sandbox, v => v);
        if (w.Volumes.Count > 0)
            o["volumes"] = new JsonArray([.. w.Volumes.Select(v =>
            {
                var vo = new JsonObject { ["type"] = v.Type };
                if (v.Source is { } s) vo["source"] = s;
                vo["target"] = v.Target;
                if (v.ReadOnly) vo["read_only"] = true;
                if (v.Type == "bind") vo["bind"] = new JsonObject { ["create_host_path"] = v.CreateHostPath };
                if (v.Type == "tmpfs" && (v.TmpfsSize is not null || v.TmpfsMode is not null))
                {
                    var t = new JsonObject();
                    if (v.TmpfsMode is { } tm) t["mode"] = tm;
                    if (v.TmpfsSize is { } ts) t["size"] = ts;
                    vo["tmpfs"] = t;
                }
                return (JsonNode)vo;
            })]);
        Set("working_dir", w.WorkingDir);
        return Sorted(o);
    }

    /// <summary>Keys in ordinal order: one canonical form whatever order the files used.</summary>
    private static JsonObject Sorted(JsonObject o)
    {
        var r = new JsonObject();
        foreach (var (k, v) in o.OrderBy(p => p.Key, StringComparer.Ordinal).ToList())
        {
            o.Remove(k);
            r[k] = v;
        }
        return r;
    }

    private static JsonArray FileMounts(List<FileMountSpec> list) => new([.. list.Select(f =>
    {
        var fo = new JsonObject { ["source"] = f.Source };
        if (f.Target is { } t) fo["target"] = t;
        if (f.Mode is { } m) fo["mode"] = m;
        return (JsonNode)fo;
    })]);

    private static JsonObject? Deploy(DeploySpec d)
    {
        var o = new JsonObject();
        if (d.Replicas is { } r) o["replicas"] = r;
        var limits = new JsonObject();
        if (d.Cpus is { } c) limits["cpus"] = c;
        if (d.MemoryBytes is { } mem) limits["memory"] = mem;
        if (d.Pids is { } p) limits["pids"] = p;
        if (limits.Count > 0) o["resources"] = new JsonObject { ["limits"] = limits };
        if (d.RestartCondition is { } rc)
        {
            var rp = new JsonObject { ["condition"] = rc };
            if (d.RestartMaxAttempts is { } ma) rp["max_attempts"] = ma;
            o["restart_policy"] = rp;
        }
        if (d.UpdateOrder is { } order) o["update_config"] = new JsonObject { ["order"] = order };
        return o.Count > 0 ? o : null;
    }

    private static JsonObject Health(HealthcheckSpec h)
    {
        var o = new JsonObject();
        if (h.Disabled) { o["disable"] = true; return o; }
        if (h.Interval is { } i) o["interval"] = Durations.Format(i);
        if (h.Retries is { } r) o["retries"] = r;
        if (h.StartInterval is { } si) o["start_interval"] = Durations.Format(si);
        if (h.StartPeriod is { } sp) o["start_period"] = Durations.Format(sp);
        if (h.Test is { } t) o["test"] = Arr(t);
        if (h.Timeout is { } to) o["timeout"] = Durations.Format(to);
        return o;
    }

    private static JsonObject Network(StackModel m, NetworkSpec n)
    {
        var o = new JsonObject { ["name"] = n.External ? n.ExternalName ?? n.Name : n.ExternalName ?? StackNames.Network(m.Name, n.Name) };
        if (n.External) o["external"] = true;
        if (n.Internal) o["internal"] = true;
        if (n.Subnet is { } s) o["subnet"] = s;
        if (n.Labels.Count > 0) o["labels"] = Obj(n.Labels, v => v);
        return o;
    }

    private static JsonObject Volume(StackModel m, VolumeSpec v)
    {
        var o = new JsonObject { ["name"] = v.External ? v.ExternalName ?? v.Name : v.ExternalName ?? StackNames.Volume(m.Name, v.Name) };
        if (v.External) o["external"] = true;
        if (v.Labels.Count > 0) o["labels"] = Obj(v.Labels, x => x);
        return o;
    }

    private static JsonObject FileObject(StackModel m, FileObjectSpec f)
    {
        var o = new JsonObject { ["name"] = f.ExternalName ?? $"{m.Name}_{f.Name}" };
        if (f.File is { } file) o["file"] = file;
        if (f.Environment is { } env) o["environment"] = env;
        if (f.Content is { } c) o["content"] = c;
        return o;
    }
}
