using System.Globalization;
using Volt.Compose.Model;
using Volt.Compose.Parsing;
using Volt.Core.Errors;
using Volt.Workloads.Model;
using HealthDurations = Volt.Core.Config.DurationParser;

namespace Volt.Compose.Planning;

/// <summary>A stack network as the runtime makes it: the Volt network name, its subnet (null: IPAM picks one).</summary>
public sealed record StackNetwork(string Key, string Name, string? Subnet, bool Internal, bool External);

/// <summary>A stack volume: the Volt volume name (<c>STACK_VOLUME</c>).</summary>
public sealed record StackVolume(string Key, string Name, bool External);

/// <summary>One workload with the instances it should have and what it waits for.</summary>
public sealed record ResolvedService(string Name, WorkloadKind Kind, IReadOnlyList<InstanceSpec> Instances,
    IReadOnlyDictionary<string, DependencySpec> DependsOn, bool HasHealthcheck);

/// <summary>Everything the executor needs, resolved from the model (names prefixed, volumes and secrets as host paths).</summary>
public sealed record ResolvedStack(string Name, IReadOnlyList<ResolvedService> Services, IReadOnlyList<StackNetwork> Networks,
    IReadOnlyList<StackVolume> Volumes, IReadOnlyList<(string Path, string Content)> Files);

/// <summary>Where resolved host paths point.</summary>
public sealed record ResolveContext(string VolumesRoot, string StackFilesDir, Func<string, string?> Environment);

/// <summary>
/// <see cref="StackModel"/> → <see cref="ResolvedStack"/>: compose semantics turned into what Volt's container engine
/// takes. Named volumes become <c>VolumesRoot/STACK_VOLUME</c> binds, secrets bind read-only at
/// <c>/run/secrets/NAME</c> (configs at <c>/NAME</c>), <c>deploy.replicas</c> instances <c>STACK-SERVICE-1..N</c>.
/// </summary>
public static class Resolver
{
    public static ResolvedStack Resolve(StackModel m, ResolveContext ctx)
    {
        var networks = m.Networks.Values.Select(n => new StackNetwork(n.Name,
            n.External ? n.ExternalName ?? n.Name : n.ExternalName ?? StackNames.Network(m.Name, n.Name), n.Subnet, n.Internal, n.External)).ToList();
        var volumes = m.Volumes.Values.Select(v => new StackVolume(v.Name,
            v.External ? v.ExternalName ?? v.Name : v.ExternalName ?? StackNames.Volume(m.Name, v.Name), v.External)).ToList();
        var files = new List<(string, string)>();
        var services = new List<ResolvedService>();
        foreach (var w in m.Workloads.Values)
        {
            if (w.Kind is WorkloadKind.Service or WorkloadKind.Task)
            {
                services.Add(new ResolvedService(w.Name, w.Kind, [HostInstance(m, w, ctx)], w.DependsOn, false));
                continue;
            }
            if (w.Kind == WorkloadKind.Vm)
            {
                services.Add(new ResolvedService(w.Name, w.Kind, [VmInstance(m, w, networks)], w.DependsOn, false));
                continue;
            }
            var replicas = w.Deploy.Replicas ?? 1;
            var instances = new List<InstanceSpec>();
            for (var i = 1; i <= replicas; i++) instances.Add(Instance(m, w, i, networks, volumes, files, ctx));
            services.Add(new ResolvedService(w.Name, w.Kind, instances, w.DependsOn, instances.Count > 0 && instances[0].HasHealthcheck));
        }
        return new ResolvedStack(m.Name, services, networks.Where(n => m.Workloads.Values.Any(w => w.Networks.ContainsKey(n.Key))).ToList(), volumes, files);
    }

    /// <summary>
    /// A Constellation <c>services:</c> or <c>tasks:</c> entry: one workload <c>STACK-NAME</c> on the host (no image,
    /// network or replicas), run by the service or task engine.
    /// </summary>
    private static InstanceSpec HostInstance(StackModel m, WorkloadSpec w, ResolveContext ctx)
    {
        var env = new List<string>();
        foreach (var (k, v) in w.Environment)
            if ((v ?? ctx.Environment(k)) is { } value) env.Add($"{k}={value}");
        return new InstanceSpec
        {
            Name = $"{m.Name}-{w.Name.ToLowerInvariant()}", Service = w.Name, Image = "",
            Kind = w.Kind == WorkloadKind.Task ? InstanceKinds.Task : InstanceKinds.Service,
            Command = w.Command ?? [], Env = env, Workdir = w.WorkingDir, User = w.User,
            Restart = w.Restart ?? "no", Schedule = w.Schedule, Description = w.Description,
        };
    }

    /// <summary>
    /// A Constellation <c>vms:</c> entry: the VM <c>STACK-NAME</c> from its image, on the first of its networks (the VM
    /// engine attaches one TAP), answering its name there.
    /// </summary>
    private static InstanceSpec VmInstance(StackModel m, WorkloadSpec w, List<StackNetwork> networks)
    {
        if (w.Networks.Count > 1)
            throw new VoltException(ExitCode.InvalidConfig, $"{Loading.ValidatorSections.Of(m, w)}.networks: a VM joins one network (the VM engine attaches one TAP), not {w.Networks.Count}");
        return new InstanceSpec
        {
            Name = $"{m.Name}-{w.Name.ToLowerInvariant()}", Service = w.Name, Image = w.Image ?? "", Kind = InstanceKinds.Vm,
            Cpu = (w.VmCpus ?? 1).ToString(CultureInfo.InvariantCulture), Memory = w.VmMemory ?? "512M", Kernel = w.VmKernel, Description = w.Description,
            Networks = [.. w.Networks.Keys.Select(k => new InstanceNetwork(networks.First(n => n.Key == k).Name, [w.Name], null))],
        };
    }

    private static InstanceSpec Instance(StackModel m, WorkloadSpec w, int index, List<StackNetwork> networks, List<StackVolume> volumes,
        List<(string, string)> files, ResolveContext ctx)
    {
        var name = w.ContainerName ?? StackNames.Instance(m.Name, w.Name, index);
        var env = new List<string>();
        foreach (var (k, v) in w.Environment)
            if ((v ?? ctx.Environment(k)) is { } value) env.Add($"{k}={value}");
        var mounts = new List<string>();
        var tmpfs = new List<string>();
        foreach (var v in w.Volumes)
        {
            var ro = v.ReadOnly ? ":ro" : "";
            switch (v.Type)
            {
                case "bind": mounts.Add($"{v.Source}:{v.Target}{ro}"); break;
                case "volume":
                    var vol = v.Source is null ? $"{name}_anon{Anon(v.Target)}" : volumes.First(x => x.Key == v.Source).Name;
                    mounts.Add($"{Path.Combine(ctx.VolumesRoot, vol)}:{v.Target}{ro}");
                    break;
                default:
                    var opts = new List<string>();
                    if (v.TmpfsMode is { } mode) opts.Add("mode=" + mode);
                    if (v.TmpfsSize is { } size) opts.Add("size=" + size.ToString(CultureInfo.InvariantCulture));
                    if (v.ReadOnly) opts.Add("ro");
                    tmpfs.Add(opts.Count == 0 ? v.Target : $"{v.Target}:{string.Join(',', opts)}");
                    break;
            }
        }
        foreach (var s in w.Secrets) mounts.Add(FileMount(m.Secrets[s.Source], s.Target is { } t ? (t.StartsWith('/') ? t : $"/run/secrets/{t}") : $"/run/secrets/{s.Source}", m, ctx, files));
        foreach (var cf in w.Configs) mounts.Add(FileMount(m.Configs[cf.Source], cf.Target ?? $"/{cf.Source}", m, ctx, files));
        var publish = new List<string>();
        foreach (var p in w.Ports)
            if (p.Published is { } hp) publish.Add($"{HostIp(w, p)}{hp}:{p.Target}{(p.Protocol == "udp" ? "/udp" : "")}");
        var nets = new List<InstanceNetwork>();
        if (w.NetworkMode is not ("none" or "host"))
            foreach (var (key, sn) in w.Networks.OrderBy(n => -(n.Value.Priority ?? 0)).ThenBy(n => n.Key, StringComparer.Ordinal))
                nets.Add(new InstanceNetwork(networks.First(n => n.Key == key).Name, [w.Name, .. sn.Aliases.Where(a => a != w.Name)], sn.Ipv4Address));
        var h = w.Healthcheck;
        var disabled = h?.Disabled == true;
        var replicasOrder = w.Deploy.UpdateOrder == "start-first" ? "start-first" : "recreate";
        return new InstanceSpec
        {
            Name = name, Service = w.Name, Index = index, Image = w.Image ?? $"{m.Name}-{w.Name.ToLowerInvariant()}:latest",
            Build = w.Build,
            Command = [.. w.Entrypoint ?? [], .. w.Command ?? []],
            Env = env, Volumes = mounts, Tmpfs = tmpfs, Publish = publish, Networks = nets,
            Workdir = w.WorkingDir, User = w.User,
            Restart = w.Restart switch { "always" or "unless-stopped" => "always", { } r when r.StartsWith("on-failure", StringComparison.Ordinal) => "on-failure", _ => RestartFromDeploy(w.Deploy) },
            Memory = w.Deploy.MemoryBytes is { } mem ? mem.ToString(CultureInfo.InvariantCulture) : null,
            Cpu = w.Deploy.Cpus is { } c ? Math.Max(1, (int)Math.Round(c * 100)).ToString(CultureInfo.InvariantCulture) : null,
            Pids = w.Deploy.Pids is { } pids and > 0 ? pids.ToString(CultureInfo.InvariantCulture) : null,
            HealthCmd = disabled ? null : h?.Test switch
            {
                ["CMD-SHELL", var s] => s,
                ["CMD", .. var args] => string.Join(' ', args.Select(ShellWords.Quote)),
                _ => null,
            },
            HealthInterval = disabled ? null : h?.Interval is { } iv ? HealthDurations.Format(iv) : null,
            HealthTimeout = disabled ? null : h?.Timeout is { } to ? HealthDurations.Format(to) : null,
            HealthStartPeriod = disabled ? null : h?.StartPeriod is { } sp ? HealthDurations.Format(sp) : null,
            HealthRetries = disabled ? null : h?.Retries is { } rt and > 0 ? rt.ToString(CultureInfo.InvariantCulture) : null,
            NoHealthcheck = disabled,
            Init = w.Init ?? false,
            CapAdd = w.CapAdd, CapDrop = w.CapDrop, SecurityOpt = w.SecurityOpt, Sandbox = w.Sandbox,
            StopGraceSeconds = (w.StopGracePeriod ?? TimeSpan.FromSeconds(10)).TotalSeconds,
            Strategy = replicasOrder,
        };
    }

    /// <summary>
    /// <c>host_ip</c> as the container engine's publish prefix: an IPv4 address publishes on that address only;
    /// <c>0.0.0.0</c>, <c>::</c> or none on every local address. Volt publishes IPv4 only, so another IPv6 address is exit 12.
    /// </summary>
    private static string HostIp(WorkloadSpec w, PortSpec p)
    {
        if (p.HostIp is not { } text || !System.Net.IPAddress.TryParse(text, out var ip)) return "";
        if (ip.Equals(System.Net.IPAddress.Any) || ip.Equals(System.Net.IPAddress.IPv6Any)) return "";
        if (ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new VoltException(ExitCode.InvalidConfig, $"services.{w.Name}.ports: host_ip {text}: Volt publishes ports on IPv4 addresses only");
        return ip + ":";
    }

    private static string RestartFromDeploy(DeploySpec d) => d.RestartCondition switch { "any" => "always", "on-failure" => "on-failure", _ => "no" };

    private static string Anon(string target) => "-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(target)))[..8];

    private static string FileMount(FileObjectSpec f, string target, StackModel m, ResolveContext ctx, List<(string, string)> files)
    {
        string host;
        if (f.File is { } file) host = file;
        else
        {
            host = Path.Combine(ctx.StackFilesDir, f.Name);
            var content = f.Content ?? (f.Environment is { } e ? ctx.Environment(e) ?? throw new VoltException(ExitCode.InvalidConfig, $"{f.Name}: environment variable {e} is not set") : "");
            if (!files.Any(x => x.Item1 == host)) files.Add((host, content));
        }
        return $"{host}:{target}:ro";
    }
}
