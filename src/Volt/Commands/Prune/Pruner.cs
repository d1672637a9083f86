using Volt.Cli;
using Volt.Commands.Cas;
using Volt.Commands.Container;
using Volt.Commands.Image;
using Volt.Images.Store;
using Volt.Storage.Cas;
using Volt.Workloads.Containers;

namespace Volt.Commands.Prune;

/// <summary>A container, image or CAS total that prune would remove or df counts.</summary>
internal sealed record PruneItem(string Name, long Bytes);

/// <summary>What <c>prune</c> would remove (or removed), per kind.</summary>
internal sealed record PrunePlan(IReadOnlyList<PruneItem> Containers, IReadOnlyList<PruneItem> Images, long CasObjects, long CasBytes)
{
    public bool IsEmpty => Containers.Count == 0 && Images.Count == 0 && CasObjects == 0;
}

/// <summary>
/// The seam every prune and <c>system df</c> goes through: which containers are stopped, which images no container uses,
/// what in the CAS no ref reaches, and removing them with the existing engines (container delete, image rm, CAS GC).
/// Removing containers also runs the container engine's orphan collector (leftovers of killed creates).
/// </summary>
internal sealed class Pruner(VoltContext ctx)
{
    private readonly ContainerEngine _engine = ctx.Engines.Containers;
    private readonly ImageStore _images = ctx.Engines.Images;

    /// <summary>Containers that are neither running nor being created.</summary>
    public IReadOnlyList<PruneItem> StoppedContainers() =>
        [.. _engine.List().Where(v => v.Status is ContainerStatus.Stopped or ContainerStatus.Failed).Select(v => new PruneItem(v.Name, ContainerBytes(v.Name)))];

    public IReadOnlyList<ContainerView> Containers() => _engine.List();

    /// <summary>Bytes a container owns on disk: its directory without the rootfs mount (the overlay's upper, records) and its log.</summary>
    public long ContainerBytes(string name)
    {
        var dir = _engine.Records.Dir(name);
        long total = FileBytes(_engine.Records.LogFile(name));
        if (!Directory.Exists(dir)) return total;
        foreach (var e in new DirectoryInfo(dir).EnumerateFileSystemInfos())
        {
            if (e.Name == "rootfs") continue; // the mounted overlay: its lower is the image's
            total += e is DirectoryInfo d ? TreeBytes(d) : ((FileInfo)e).Length;
        }
        return total;
    }

    /// <summary>Image ref names some container (running or not) was created from.</summary>
    public HashSet<string> ImagesInUse(IEnumerable<string>? withoutContainers = null)
    {
        var skip = (withoutContainers ?? []).ToHashSet(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in _engine.List())
            if (!skip.Contains(v.Name) && v.Config is { RootfsKind: "image" } c && TryImage(c.RootfsSource ?? c.Image) is { } img) used.Add(img.RefName);
        return used;
    }

    public List<StoredImage> Images() => _images.List();

    /// <summary>podman's rule: without <paramref name="all"/> only dangling images (no tag: pulled by digest), with it every image no container uses.</summary>
    /// <param name="withoutContainers">Containers about to be removed: their images count as unused.</param>
    public IReadOnlyList<PruneItem> UnusedImages(bool all, IEnumerable<string>? withoutContainers = null)
    {
        var used = ImagesInUse(withoutContainers);
        return [.. _images.List().Where(i => !used.Contains(i.RefName) && (all || ImagePruner.IsDangling(i)))
            .Select(i => new PruneItem(i.Name.ToString(), i.Record.Size))];
    }

    /// <summary>CAS objects no ref reaches if the given image refs were gone too (count, bytes).</summary>
    public (long Objects, long Bytes) Unreferenced(IEnumerable<string> removedImages)
    {
        var store = ctx.Engines.Cas;
        if (!store.IsInitialized) return (0, 0);
        var gone = removedImages.Select(n => _images.TryGet(n)?.RefName).Where(n => n is not null).ToHashSet(StringComparer.Ordinal);
        var marks = new Reachability(store);
        marks.MarkAll(store.Refs.List().Where(r => !gone.Contains(r.Name)));
        long objects = 0, bytes = 0;
        foreach (var o in store.EnumerateObjects())
        {
            if (marks.Live.Contains(o.Digest)) continue;
            objects++;
            bytes += FileBytes(o.Path);
        }
        return (objects, bytes);
    }

    public async Task<IReadOnlyList<PruneItem>> RemoveContainersAsync(IReadOnlyList<PruneItem> containers, CancellationToken ct)
    {
        var removed = new List<PruneItem>();
        foreach (var c in containers)
        {
            // Re-checked under the delete: one started meanwhile is not removed.
            if (_engine.View(c.Name).Status is not (ContainerStatus.Stopped or ContainerStatus.Failed)) continue;
            await _engine.DeleteAsync(c.Name, ct).ConfigureAwait(false);
            removed.Add(c);
        }
        // What killed creates left with no record (cgroups, ctr:NAME rules, units, logs): nothing can list or delete it.
        foreach (var o in await _engine.CollectOrphansAsync(ct).ConfigureAwait(false))
            removed.Add(new PruneItem($"{o.Container} (leftover {o.What})", 0));
        return removed;
    }

    public IReadOnlyList<PruneItem> RemoveImages(IReadOnlyList<PruneItem> images)
    {
        var used = ImagesInUse();
        var removed = new List<PruneItem>();
        foreach (var i in images)
        {
            if (TryImage(i.Name) is not { } img || used.Contains(img.RefName)) continue;
            _images.Remove(i.Name);
            removed.Add(i);
        }
        return removed;
    }

    /// <summary>The CAS's mark and sweep with the configured grace (objects written moments ago stay).</summary>
    public GcResult CollectGarbage(CancellationToken ct)
    {
        var store = ctx.Engines.Cas;
        if (!store.IsInitialized) return new GcResult(0, 0, 0, 0, 0, 0, 0, false, TimeSpan.Zero);
        return new GarbageCollector(store).Run(dryRun: false, ctx.Config.Section<CasConfig>().GcGrace, ct);
    }

    private StoredImage? TryImage(string name)
    {
        try { return _images.TryGet(name); }
        catch (Core.Errors.VoltException) { return null; } // not an image name (a directory)
    }

    private static long FileBytes(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static long TreeBytes(DirectoryInfo d)
    {
        long total = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        try { foreach (var f in d.EnumerateFiles("*", options)) total += f.Length; }
        catch (IOException) { }
        return total;
    }
}
