using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Rendering;

namespace Volt.Commands.Prune;

/// <summary>What every prune shares: show the plan, ask (or -f), remove, show what was freed.</summary>
internal static class PruneCommands
{
    public static readonly Option<bool> Force = new("--force", "-f") { Description = "Do not ask for confirmation" };
    public static readonly Option<bool> All = new("--all", "-a") { Description = "Every image no container uses, not only dangling (untagged) ones" };

    /// <summary>
    /// Shows <paramref name="plan"/> and asks on a terminal; without one (and without -f) refuses with exit 2.
    /// Returns false when the answer is no.
    /// </summary>
    public static bool Confirm(VoltContext ctx, ParseResult parse, PrunePlan plan)
    {
        if (plan.IsEmpty || parse.GetValue(Force)) return true;
        if (!ctx.Console.IsInputTerminal)
            throw VoltException.Usage("refusing to prune without confirmation: no terminal to ask on; use -f to prune anyway");
        var err = ctx.Console.Error;
        err.WriteLine("This will remove:");
        if (plan.Containers.Count > 0) err.WriteLine($"  {plan.Containers.Count} stopped container(s): {Names(plan.Containers)} ({Human.Bytes(plan.Containers.Sum(c => c.Bytes))})");
        if (plan.Images.Count > 0) err.WriteLine($"  {plan.Images.Count} image(s) no container uses: {Names(plan.Images)}");
        if (plan.CasObjects > 0) err.WriteLine($"  up to {plan.CasObjects} CAS object(s) no ref reaches ({Human.Bytes(plan.CasBytes)}; objects younger than cas.gc_grace stay)");
        err.Write("Are you sure you want to continue? [y/N] ");
        err.Flush();
        var answer = ctx.Console.ReadLine()?.Trim();
        return answer is "y" or "Y" or "yes" or "Yes";
    }

    /// <summary>The outcome, one renderer for every format.</summary>
    public static int Report(VoltContext ctx, IReadOnlyList<PruneItem>? containers, IReadOnlyList<PruneItem>? images, Storage.Cas.GcResult? gc)
    {
        var human = ctx.Out.Format == OutputFormat.Table;
        var freed = (containers?.Sum(c => c.Bytes) ?? 0) + (gc?.BytesFreed ?? 0);
        var o = new JsonObject();
        if (containers is not null) o["containers_removed"] = new JsonArray([.. containers.Select(c => (JsonNode)c.Name)]);
        if (images is not null) o["images_removed"] = new JsonArray([.. images.Select(i => (JsonNode)i.Name)]);
        if (gc is not null) o["cas_objects_removed"] = gc.Swept;
        o["reclaimed"] = human ? Human.Bytes(freed) : freed;
        if (human)
        {
            // Lists as comma-separated text in the table view.
            if (containers is not null) o["containers_removed"] = containers.Count == 0 ? "-" : Names(containers);
            if (images is not null) o["images_removed"] = images.Count == 0 ? "-" : Names(images);
        }
        ctx.Out.Object(o);
        return 0;
    }

    private static string Names(IReadOnlyList<PruneItem> items) => string.Join(", ", items.Select(i => i.Name));
}

internal sealed class ContainerPruneCommand : VoltCommand
{
    public ContainerPruneCommand() : base("prune", "Delete every stopped container (asks first unless -f)")
    {
        Add(PruneCommands.Force);
        Examples = ["volt container prune", "volt container prune -f -o json"];
    }

    public override string AuditAction => "container.prune";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        ctx.AuditResource = "containers";
        var p = new Pruner(ctx);
        var stopped = p.StoppedContainers();
        if (!PruneCommands.Confirm(ctx, parse, new PrunePlan(stopped, [], 0, 0))) return 0;
        return PruneCommands.Report(ctx, await p.RemoveContainersAsync(stopped, ct).ConfigureAwait(false), null, null);
    }
}

internal sealed class ImagePruneCommand : VoltCommand
{
    public ImagePruneCommand() : base("prune", "Remove dangling images (--all: every image no container uses), then their unreferenced objects")
    {
        Add(PruneCommands.All);
        Add(PruneCommands.Force);
        Examples = ["volt image prune", "volt image prune --all -f"];
    }

    public override string AuditAction => "image.prune";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        ctx.AuditResource = "images";
        var p = new Pruner(ctx);
        var images = p.UnusedImages(parse.GetValue(PruneCommands.All));
        var (objects, bytes) = images.Count == 0 ? (0L, 0L) : p.Unreferenced(images.Select(i => i.Name));
        if (!PruneCommands.Confirm(ctx, parse, new PrunePlan([], images, objects, bytes))) return Task.FromResult(0);
        var removed = p.RemoveImages(images);
        var gc = removed.Count > 0 ? p.CollectGarbage(ct) : null;
        return Task.FromResult(PruneCommands.Report(ctx, null, removed, gc));
    }
}

internal sealed class SystemPruneCommand : VoltCommand
{
    public SystemPruneCommand() : base("prune", "Remove stopped containers, dangling images (--all: unused ones) and CAS objects no ref reaches; shows what it frees, asks unless -f")
    {
        Add(PruneCommands.All);
        Add(PruneCommands.Force);
        Examples = ["volt system prune", "volt system prune --all -f", "volt system prune -f -o json"];
    }

    public override string AuditAction => "system.prune";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        ctx.AuditResource = "system";
        var p = new Pruner(ctx);
        var containers = p.StoppedContainers();
        var images = p.UnusedImages(parse.GetValue(PruneCommands.All), containers.Select(c => c.Name));
        var (objects, bytes) = p.Unreferenced(images.Select(i => i.Name));
        if (!PruneCommands.Confirm(ctx, parse, new PrunePlan(containers, images, objects, bytes))) return 0;
        var removedContainers = await p.RemoveContainersAsync(containers, ct).ConfigureAwait(false);
        var removedImages = p.RemoveImages(images);
        var gc = p.CollectGarbage(ct);
        return PruneCommands.Report(ctx, removedContainers, removedImages, gc);
    }
}
