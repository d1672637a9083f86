using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Commands.Cas;
using Volt.Rendering;
using Volt.Storage.Cas;

namespace Volt.Commands.Prune;

internal static class SystemCommands
{
    public static Command Group() => new GroupCommand("system", "The host's Volt storage as a whole: disk use, prune",
        new SystemDfCommand(), new SystemPruneCommand())
    {
        Examples = ["volt system df", "volt system prune", "volt system prune --all -f"],
    };
}

/// <summary><c>volt system df</c>, as <c>podman system df</c>: per kind how many, how many in use, bytes, bytes a prune frees.</summary>
internal sealed class SystemDfCommand : VoltCommand
{
    public SystemDfCommand() : base("df", "Disk use of images, containers and CAS objects: total, active, size, reclaimable")
    {
        Examples = ["volt system df", "volt system df -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var p = new Pruner(ctx);
        var rows = new List<JsonObject>();

        // Images: unique bytes their trees hold; reclaimable = what only unused images reach.
        var images = p.Images();
        var used = p.ImagesInUse();
        var store = ctx.Engines.Cas;
        long imageBytes = 0, imageKeep = 0, casObjects = 0, casBytes = 0, casLive = 0, casLiveBytes = 0;
        if (store.IsInitialized)
        {
            var refs = store.Refs.List();
            var imageRefs = images.Select(i => i.RefName).ToHashSet(StringComparer.Ordinal);
            var all = new Reachability(store);
            all.MarkAll(refs);
            var ofImages = new Reachability(store);
            ofImages.MarkAll(refs.Where(r => imageRefs.Contains(r.Name)));
            var kept = new Reachability(store);
            kept.MarkAll(refs.Where(r => !imageRefs.Contains(r.Name) || used.Contains(r.Name)));
            foreach (var o in store.EnumerateObjects())
            {
                ct.ThrowIfCancellationRequested();
                var size = new FileInfo(o.Path) is { Exists: true } f ? f.Length : 0;
                casObjects++;
                casBytes += size;
                if (all.Live.Contains(o.Digest)) { casLive++; casLiveBytes += size; }
                if (ofImages.Live.Contains(o.Digest))
                {
                    imageBytes += size;
                    if (kept.Live.Contains(o.Digest)) imageKeep += size;
                }
            }
        }
        rows.Add(Row("Images", images.Count, images.Count(i => used.Contains(i.RefName)), imageBytes, imageBytes - imageKeep));

        var containers = p.Containers();
        long cTotal = 0, cReclaim = 0;
        foreach (var c in containers)
        {
            var b = p.ContainerBytes(c.Name);
            cTotal += b;
            if (c.Status is Workloads.Containers.ContainerStatus.Stopped or Workloads.Containers.ContainerStatus.Failed) cReclaim += b;
        }
        rows.Add(Row("Containers", containers.Count, containers.Count(c => c.Status == Workloads.Containers.ContainerStatus.Running), cTotal, cReclaim));
        rows.Add(Row("CAS objects", casObjects, casLive, casBytes, casBytes - casLiveBytes));
        ctx.Out.List(rows,
        [
            new Column("TYPE", "type"), new Column("TOTAL", "total", RightAlign: true), new Column("ACTIVE", "active", RightAlign: true),
            new Column("SIZE", "size", Human.Bytes, RightAlign: true),
            new Column("RECLAIMABLE", "reclaimable", n => n is null ? "-" : Human.Bytes(n), RightAlign: true),
            new Column("", "reclaimable_percent", n => n is JsonValue v && v.TryGetValue<double>(out var d) ? "(" + d.ToString("0", CultureInfo.InvariantCulture) + "%)" : ""),
        ]);
        return Task.FromResult(0);
    }

    private static JsonObject Row(string type, long total, long active, long size, long reclaimable) => new()
    {
        ["type"] = type,
        ["total"] = total,
        ["active"] = active,
        ["size"] = size,
        ["reclaimable"] = reclaimable,
        ["reclaimable_percent"] = size == 0 ? 0.0 : Math.Round(100.0 * reclaimable / size, 1),
    };
}
