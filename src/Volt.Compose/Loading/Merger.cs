using Volt.Compose.Model;

namespace Volt.Compose.Loading;

/// <summary>
/// compose-spec's merge rules for <c>-f a -f b</c> and <c>extends</c> (b overrides a): single values are replaced;
/// <c>command</c>, <c>entrypoint</c> and <c>healthcheck.test</c> are replaced whole; maps (<c>environment</c>,
/// <c>labels</c>, <c>networks</c>, <c>depends_on</c>) merge by key; <c>volumes</c> merge by target path,
/// <c>configs</c>/<c>secrets</c> by source; <c>ports</c>, <c>expose</c>, <c>env_file</c>, <c>profiles</c>, <c>cap_add</c>, <c>cap_drop</c>, <c>security_opt</c> are
/// appended without duplicates. Top-level networks, volumes, configs and secrets merge by name.
/// </summary>
public static class Merger
{
    public static void Into(StackModel target, StackModel over)
    {
        foreach (var (name, w) in over.Workloads)
            target.Workloads[name] = target.Workloads.TryGetValue(name, out var b) && b.Kind == w.Kind ? Service(b, w) : w;
        foreach (var (k, v) in over.Networks) target.Networks[k] = v;
        foreach (var (k, v) in over.Volumes) target.Volumes[k] = v;
        foreach (var (k, v) in over.Configs) target.Configs[k] = v;
        foreach (var (k, v) in over.Secrets) target.Secrets[k] = v;
        target.Description = over.Description ?? target.Description;
    }

    /// <summary>A new service: <paramref name="b"/> overridden by <paramref name="o"/>.</summary>
    public static WorkloadSpec Service(WorkloadSpec b, WorkloadSpec o) => new()
    {
        Name = o.Name, Kind = o.Kind, Pos = o.Pos,
        Image = o.Image ?? b.Image, Build = o.Build ?? b.Build,
        Command = o.Command ?? b.Command, Entrypoint = o.Entrypoint ?? b.Entrypoint,
        Environment = Map(b.Environment, o.Environment),
        EnvFiles = [.. b.EnvFiles.Concat(o.EnvFiles).Distinct()],
        Ports = [.. b.Ports.Concat(o.Ports).Distinct()],
        Expose = [.. b.Expose.Concat(o.Expose).Distinct()],
        Volumes = ByKey(b.Volumes, o.Volumes, m => m.Target),
        Configs = ByKey(b.Configs, o.Configs, m => m.Source),
        Secrets = ByKey(b.Secrets, o.Secrets, m => m.Source),
        Networks = Map(b.Networks, o.Networks),
        NetworkMode = o.NetworkMode ?? b.NetworkMode,
        DependsOn = Map(b.DependsOn, o.DependsOn),
        Healthcheck = Health(b.Healthcheck, o.Healthcheck),
        Restart = o.Restart ?? b.Restart, WorkingDir = o.WorkingDir ?? b.WorkingDir, User = o.User ?? b.User,
        Hostname = o.Hostname ?? b.Hostname, ContainerName = o.ContainerName ?? b.ContainerName,
        Labels = Map(b.Labels, o.Labels), StopSignal = o.StopSignal ?? b.StopSignal,
        StopGracePeriod = o.StopGracePeriod ?? b.StopGracePeriod,
        Profiles = [.. b.Profiles.Concat(o.Profiles).Distinct()],
        Init = o.Init ?? b.Init, ReadOnly = o.ReadOnly ?? b.ReadOnly,
        CapAdd = [.. b.CapAdd.Concat(o.CapAdd).Distinct()], CapDrop = [.. b.CapDrop.Concat(o.CapDrop).Distinct()],
        SecurityOpt = [.. b.SecurityOpt.Concat(o.SecurityOpt).Distinct()], Sandbox = Map(b.Sandbox, o.Sandbox),
        Deploy = new DeploySpec
        {
            Replicas = o.Deploy.Replicas ?? b.Deploy.Replicas, Cpus = o.Deploy.Cpus ?? b.Deploy.Cpus,
            MemoryBytes = o.Deploy.MemoryBytes ?? b.Deploy.MemoryBytes, Pids = o.Deploy.Pids ?? b.Deploy.Pids,
            UpdateOrder = o.Deploy.UpdateOrder ?? b.Deploy.UpdateOrder,
            RestartCondition = o.Deploy.RestartCondition ?? b.Deploy.RestartCondition,
            RestartMaxAttempts = o.Deploy.RestartMaxAttempts ?? b.Deploy.RestartMaxAttempts,
        },
        Schedule = o.Schedule ?? b.Schedule, VmCpus = o.VmCpus ?? b.VmCpus, VmMemory = o.VmMemory ?? b.VmMemory, VmKernel = o.VmKernel ?? b.VmKernel,
        Description = o.Description ?? b.Description,
    };

    private static SortedDictionary<string, T> Map<T>(SortedDictionary<string, T> b, SortedDictionary<string, T> o)
    {
        var r = new SortedDictionary<string, T>(b, StringComparer.Ordinal);
        foreach (var (k, v) in o) r[k] = v;
        return r;
    }

    private static List<T> ByKey<T>(List<T> b, List<T> o, Func<T, string> key)
    {
        var r = new List<T>(b);
        foreach (var item in o)
        {
            var i = r.FindIndex(x => key(x) == key(item));
            if (i >= 0) r[i] = item; else r.Add(item);
        }
        return r;
    }

    private static HealthcheckSpec? Health(HealthcheckSpec? b, HealthcheckSpec? o)
    {
        if (b is null || o is null) return o ?? b;
        return new HealthcheckSpec
        {
            Test = o.Test ?? b.Test, Interval = o.Interval ?? b.Interval, Timeout = o.Timeout ?? b.Timeout,
            StartPeriod = o.StartPeriod ?? b.StartPeriod, StartInterval = o.StartInterval ?? b.StartInterval,
            Retries = o.Retries ?? b.Retries, Disable = o.Disable || (b.Disable && o.Test is null),
        };
    }
}
