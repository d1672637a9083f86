using Volt.Core.IO;
using Volt.Workloads.Runtime;

namespace Volt.Workloads.Containers;

/// <summary>One thing the orphan collector removed: whose it was and what.</summary>
public sealed record Orphan(string Container, string What);

public sealed partial class ContainerEngine
{
    /// <summary>
    /// Removes what no usable container owns: cgroup directories, network leftovers (address, veth, nft DNAT rules tagged
    /// <c>ctr:NAME</c>), units and logs of names without a record; and interrupted creates (a record whose creator died,
    /// or without config.json, or emptied by a crash) with their rootfs mount; <c>--rm</c> containers that ran and no longer
    /// run. A name whose lock is held (a create or start in progress) and
    /// running containers are left alone. voltd runs this at start; <c>volt system prune</c> calls it. Returns what it
    /// removed.
    /// </summary>
    public async Task<IReadOnlyList<Orphan>> CollectOrphansAsync(CancellationToken ct = default)
    {
        var network = await NetworkOwnersAsync(ct).ConfigureAwait(false);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        names.UnionWith(host.Cgroups.Groups());
        names.UnionWith(network);
        names.UnionWith(Store.Names());
        if (Directory.Exists(Store.Paths.Units))
            foreach (var unit in Directory.GetFiles(Store.Paths.Units, "volt-container@*.service"))
                names.Add(Path.GetFileName(unit)["volt-container@".Length..^".service".Length]);
        var logs = Path.GetDirectoryName(Store.LogFile("x"))!;
        if (Directory.Exists(logs))
            foreach (var log in Directory.GetFiles(logs, "*.log")) names.Add(Path.GetFileNameWithoutExtension(log));
        var removed = new List<Orphan>();
        foreach (var name in names.Where(ContainerName.IsValid))
            removed.AddRange(await CollectAsync(name, network.Contains(name), ct).ConfigureAwait(false));
        return removed;
    }

    /// <summary>
    /// The collector for one name: what <c>container delete -f NAME</c> does when the record is missing or half-written.
    /// </summary>
    public async Task<IReadOnlyList<Orphan>> CollectOrphansAsync(string name, CancellationToken ct = default)
    {
        ContainerName.Validate(name);
        var network = await NetworkOwnersAsync(ct).ConfigureAwait(false);
        return await CollectAsync(name, network.Contains(name), ct).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<Orphan>> CollectAsync(string name, bool networkHolds, CancellationToken ct)
    {
        var removed = new List<Orphan>();
        using (var held = FileLock.TryExclusive(Store.LockFile(name)))
        {
            if (held is null) return removed; // a create, start or delete is at work on it
            var cg = ContainerHost.CgroupName(name);
            if (Store.Exists(name))
            {
                var view = View(name);
                if (view.Config is null || (view.State.Status == ContainerStatus.Creating && view.Status == ContainerStatus.Failed))
                {
                    await DeleteLockedAsync(name, ct).ConfigureAwait(false);
                    removed.Add(new Orphan(name, "interrupted create: record, rootfs, cgroups, network, unit, log"));
                    return removed;
                }
                if (view.Status == ContainerStatus.Running || view.Status == ContainerStatus.Creating) return removed;
                // A --rm container that ran and is not running: whoever was to delete it (a killed `volt run --rm`, a
                // crash) is gone. One created with --rm and never started is left alone (StartedAt unset).
                if (view.Config.AutoRemove && view.State.StartedAt is not null && view.Status != ContainerStatus.Restarting)
                {
                    await DeleteLockedAsync(name, ct).ConfigureAwait(false);
                    removed.Add(new Orphan(name, "--rm container left behind by its supervisor: record, rootfs, cgroups, unit"));
                    return removed;
                }
                // A stopped container owns no cgroup and no network attachment: any there are leftovers.
                if (host.Cgroups.Exists(cg))
                {
                    KillStrays(cg);
                    host.Cgroups.Delete(cg);
                    removed.Add(new Orphan(name, "cgroups of a stopped container"));
                }
                if (networkHolds)
                {
                    await host.Network.DetachAsync(name, ct).ConfigureAwait(false);
                    removed.Add(new Orphan(name, "network of a stopped container: address, veth, ctr:" + name + " rules"));
                }
                return removed;
            }
            if (host.Cgroups.Exists(cg))
            {
                KillStrays(cg);
                host.Cgroups.Delete(cg);
                removed.Add(new Orphan(name, "cgroups"));
            }
            if (networkHolds)
            {
                await host.Network.DetachAsync(name, ct).ConfigureAwait(false);
                removed.Add(new Orphan(name, "network: address, veth, ctr:" + name + " rules"));
            }
            if (File.Exists(Store.UnitFile(name))) { AtomicFile.TryDelete(Store.UnitFile(name)); removed.Add(new Orphan(name, "unit")); }
            if (File.Exists(Store.LogFile(name))) { AtomicFile.TryDelete(Store.LogFile(name)); removed.Add(new Orphan(name, "log")); }
        }
        if (!Store.Exists(name)) AtomicFile.TryDelete(Store.LockFile(name));
        return removed;
    }

    private async Task<HashSet<string>> NetworkOwnersAsync(CancellationToken ct)
    {
        try { return [.. await host.Network.OwnersAsync(ct).ConfigureAwait(false)]; }
        catch (Core.Errors.VoltException) { return []; } // no nft here: nothing of the network to collect either
    }

    /// <summary>SIGKILLs what is left in a group no running container owns and waits (up to 2 s) for it to empty.</summary>
    private void KillStrays(string cg)
    {
        for (var i = 0; i < 200; i++)
        {
            var pids = host.Cgroups.Exists(cg) ? host.Cgroups.Pids(cg) : [];
            if (pids.Count == 0) return;
            foreach (var pid in pids) Native.Kill(pid, Native.SIGKILL);
            Thread.Sleep(10);
        }
    }
}
