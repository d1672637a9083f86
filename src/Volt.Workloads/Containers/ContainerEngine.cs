using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Workloads.Health;
using Volt.Workloads.Nspawn;
using Volt.Workloads.Rootfs;
using Volt.Workloads.Runtime;

namespace Volt.Workloads.Containers;

/// <summary>
/// Container records and host resources that are not processes: create (config, rootfs, unit), delete (everything),
/// update (config and the live cgroup), views. Starting and stopping belong to an <see cref="Supervision.ISupervisor"/>.
/// </summary>
public sealed partial class ContainerEngine(ContainerHost host)
{
    private ContainerStore Store => host.Store;

    public ContainerConfig Create(CreateRequest r)
    {
        var config = Plan(r);
        using var _ = Store.Lock(r.Name);
        return Reverter.Run(null, rev =>
        {
            Materialize(config, rev);
            Store.Save(r.Name, new ContainerState { Status = ContainerStatus.Stopped });
            return config;
        });
    }

    /// <summary>
    /// The container's config from a request: validated (all usage errors at once, exit 2), the image resolved (exit 3)
    /// and its defaults applied. Nothing is written.
    /// </summary>
    public ContainerConfig Plan(CreateRequest r)
    {
        var config = Validate(r);
        // No --network: the default network (volt0 unless configured otherwise), except where a veth cannot go.
        if (r.Network is null && config.Userns != UserNamespace.Private && host.DefaultNetwork is { } dflt)
            config = config with { Network = dflt };
        if (config.Userns == UserNamespace.Private && !host.PrivateUsers)
            throw new VoltException(ExitCode.Dependency, "--userns private: user namespaces are not available on this host (/proc/sys/user/max_user_namespaces, unshare --user)");
        var source = host.Rootfs.Resolve(r.Image);
        return config with
        {
            RootfsKind = source.Kind, RootfsSource = source.Source,
            Command = config.Command.Count > 0 ? config.Command : source.DefaultCommand,
            Env = [.. source.Env.Where(e => !config.Env.Any(c => c.Split('=')[0] == e.Split('=')[0])), .. config.Env],
            Workdir = config.Workdir ?? source.Workdir, User = config.User ?? source.User,
            Healthcheck = HealthOptions.Merge(r, source.Healthcheck),
        };
    }

    /// <summary>
    /// Writes a planned container (directory, records, rootfs, unit), leaving it in state <c>creating</c>; the caller
    /// holds its lock, records the final state and commits <paramref name="rev"/> (which undoes all of it otherwise).
    /// </summary>
    public void Materialize(ContainerConfig config, Reverter rev)
    {
        var name = config.Name;
        if (Store.Exists(name)) throw VoltException.Exists($"container \"{name}\" already exists");
        Directory.CreateDirectory(Store.Dir(name));
        rev.Add("container dir", () => Directory.Delete(Store.Dir(name), recursive: true));
        rev.Add("unit", () =>
        {
            AtomicFile.TryDelete(Store.UnitFile(name));
            foreach (var f in UnitRenderer.HealthUnitNames(name)) AtomicFile.TryDelete(Path.Combine(Store.Paths.Units, f));
        });
        // The state goes first, so a create killed from here on shows as failed (dead creator) and delete cleans it up.
        // It is not fsynced: the caller's next write replaces it durably (stopped, or running), and a crash before that
        // leaves no state, a torn one or "creating" from a dead creator, all read as an interrupted create (collected).
        // Then config and units in one batch (an fsync per file, renames in this order; none for a --rm container); the
        // container directory's fsync is left to that next state write, which covers these renames too
        // (docs/decisions.md "create's fsyncs"). The units directory is fsynced here.
        var rootfs = Store.Rootfs(name);
        AtomicFile.WriteAllBytes(Store.StateFile(name),
            Store.Serialize(new ContainerState { Status = ContainerStatus.Creating, CreatorPid = Environment.ProcessId }), durable: false);
        // The environment next, 0600 from its creation (it may hold secrets); config.json then holds none of it.
        Store.SaveSettings(config, durable: ContainerStore.Durable(config));
        AtomicFile.WriteAll([(Store.ConfigFile(name), Store.Serialize(config)), .. UnitFiles(config, rootfs)],
            ContainerStore.Durable(config), deferDirectory: Store.Dir(name));
        rev.Add("rootfs", () => host.Rootfs.Release(Store.Dir(name)));
        if (host.Rootfs.Prepare(RootfsSource.Of(config), Store.Dir(name)) != rootfs)
            throw new InvalidOperationException($"rootfs provider did not prepare {rootfs}");
    }

    /// <summary>Removes every trace: rootfs (unmounted), network, cgroup, unit, log, state dir. Must not be running.</summary>
    public async Task DeleteAsync(string name, CancellationToken ct = default)
    {
        Store.EnsureExists(name);
        using var _ = Store.Lock(name);
        var view = View(name);
        if (view.Status is ContainerStatus.Running or ContainerStatus.Restarting)
            throw VoltException.Conflict($"container \"{name}\" is {view.Status.ToString().ToLowerInvariant()}: stop it first or use --force");
        await DeleteLockedAsync(name, ct).ConfigureAwait(false);
    }

    /// <summary>Delete's work, under the container's lock, for a container that is not running.</summary>
    private async Task DeleteLockedAsync(string name, CancellationToken ct)
    {
        var cg = ContainerHost.CgroupName(name);
        // Not running, so anything still in its group (an interrupted start's wrapper) is a stray.
        KillStrays(cg);
        host.Rootfs.Release(Store.Dir(name));
        // A container created without --network/--publish never had an attachment or nft rules (neither can be added
        // later): no network engine call (an nft process) for it. Half-created ones (no config) are still swept.
        if (Store.TryConfig(name) is not { Network: null, Publish.Count: 0 })
            await host.Network.DetachAsync(name, ct).ConfigureAwait(false);
        host.Cgroups.Delete(cg);
        AtomicFile.TryDelete(Store.UnitFile(name));
        foreach (var f in UnitRenderer.HealthUnitNames(name)) AtomicFile.TryDelete(Path.Combine(Store.Paths.Units, f));
        AtomicFile.TryDelete(Store.LogFile(name));
        Directory.Delete(Store.Dir(name), recursive: true);
        AtomicFile.TryDelete(Store.LockFile(name));
    }

    /// <summary>New limits into config.json (and the unit) and, if running, into the cgroup at once.</summary>
    public ContainerConfig Update(string name, string? memory, string? cpu, string? pids)
    {
        Store.EnsureExists(name);
        var mem = memory is null ? (long?)null : ResourceParser.Memory(memory);
        var c = cpu is null ? (int?)null : ResourceParser.Cpu(cpu);
        var p = pids is null ? (int?)null : ResourceParser.Pids(pids);
        if (mem is null && c is null && p is null) throw VoltException.Usage("nothing to update: give --memory, --cpu and/or --pids");
        using var _ = Store.Lock(name);
        var config = Store.Config(name);
        config = config with { MemoryBytes = mem ?? config.MemoryBytes, CpuPercent = c ?? config.CpuPercent, Pids = p ?? config.Pids };
        Store.Save(config);
        WriteUnit(config, Store.Rootfs(name));
        var cg = ContainerHost.CgroupName(name);
        if (View(name).Status == ContainerStatus.Running && host.Cgroups.Exists(cg)) host.Cgroups.Apply(cg, host.Limits(config));
        return config;
    }

    /// <summary>The unit and, with a health check, its timer and service, as files to write (see <see cref="WriteUnit"/>).</summary>
    private List<(string Path, byte[] Data)> UnitFiles(ContainerConfig config, string rootfs)
    {
        var files = new List<(string Path, byte[] Data)>
        {
            (Store.UnitFile(config.Name), System.Text.Encoding.UTF8.GetBytes(UnitRenderer.Render(config, NspawnCommand.Build(config, rootfs, envInSettings: true), host.DefaultStopTimeout))),
        };
        if (config.Healthcheck is null) return files;
        files.Add((Path.Combine(Store.Paths.Units, UnitRenderer.HealthTimerName(config.Name)), System.Text.Encoding.UTF8.GetBytes(UnitRenderer.RenderHealthTimer(config))));
        files.Add((Path.Combine(Store.Paths.Units, UnitRenderer.HealthServiceName(config.Name)),
            System.Text.Encoding.UTF8.GetBytes(UnitRenderer.RenderHealthService(config, host.VoltBinary, Store.Paths.IsRelocated ? Store.Paths.Root : null))));
        return files;
    }

    private void WriteUnit(ContainerConfig config, string rootfs)
    {
        AtomicFile.WriteAllText(Store.UnitFile(config.Name),
            UnitRenderer.Render(config, NspawnCommand.Build(config, rootfs, envInSettings: true), host.DefaultStopTimeout));
        var timer = Path.Combine(Store.Paths.Units, UnitRenderer.HealthTimerName(config.Name));
        var service = Path.Combine(Store.Paths.Units, UnitRenderer.HealthServiceName(config.Name));
        if (config.Healthcheck is null) { AtomicFile.TryDelete(timer); AtomicFile.TryDelete(service); return; }
        AtomicFile.WriteAllText(timer, UnitRenderer.RenderHealthTimer(config));
        AtomicFile.WriteAllText(service, UnitRenderer.RenderHealthService(config, host.VoltBinary, Store.Paths.IsRelocated ? Store.Paths.Root : null));
    }

    private static ContainerConfig Validate(CreateRequest r)
    {
        var errors = new List<string>();
        T? Try<T>(Func<T> parse)
        {
            try { return parse(); }
            catch (VoltException e) when (e.Code == ExitCode.Usage) { errors.Add(e.Message); return default; }
        }
        Try(() => ContainerName.Validate(r.Name));
        Try(() => HealthOptions.Merge(r, null));
        var config = new ContainerConfig
        {
            Name = r.Name, Image = r.Image, Command = r.Command, Init = r.Init, AutoRemove = r.AutoRemove,
            Env = [.. r.Env.Select(e => Try(() => ResourceParser.Env(e))).OfType<string>()],
            Volumes = [.. r.Volumes.Select(v => Try(() => ResourceParser.Volume(v))).OfType<VolumeMount>()],
            Tmpfs = [.. r.Tmpfs.Select(t => Try(() => ResourceParser.Tmpfs(t))).OfType<string>()],
            Publish = [.. r.Publish.Select(p => Try(() => ResourceParser.Publish(p))).OfType<string>()],
            Network = r.Network is "none" ? null : r.Network,
            ExtraNetworks = [.. r.ExtraNetworks.Where(n => n != "none").Distinct(StringComparer.Ordinal).Where(n => n != r.Network)],
            MemoryBytes = r.Memory is null ? null : Try(() => (long?)ResourceParser.Memory(r.Memory)),
            CpuPercent = r.Cpu is null ? null : Try(() => (int?)ResourceParser.Cpu(r.Cpu)),
            Pids = r.Pids is null ? null : Try(() => (int?)ResourceParser.Pids(r.Pids)),
            Restart = Try(() => ResourceParser.Restart(r.Restart)),
            Userns = r.Userns is null ? UserNamespace.Host : Try(() => ResourceParser.Userns(r.Userns)),
            Workdir = r.Workdir, User = r.User, Created = DateTimeOffset.UtcNow, Sandbox = r.Sandbox,
        };
        if (r.Network is "none" && r.ExtraNetworks.Any(n => n != "none")) errors.Add("--network none cannot be combined with other networks");
        if (r.Workdir is { } w && !w.StartsWith('/')) errors.Add($"invalid --workdir \"{w}\": must be an absolute path");
        // The network engine cannot move a veth into a namespace owned by the container's user namespace ("RTNETLINK:
        // No such process"), and host-owned volume files would show up as nobody: refuse rather than half-work.
        if (config.Userns == UserNamespace.Private && (config.Volumes.Count > 0 || config.Network is not null || config.Publish.Count > 0))
            errors.Add("--userns private cannot be combined with --volume, --network or --publish");
        return errors.Count == 0 ? config : throw VoltException.Usage(string.Join("; ", errors));
    }
}
