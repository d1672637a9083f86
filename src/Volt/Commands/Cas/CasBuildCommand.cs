using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Rendering;
using Volt.Storage.Cas;

namespace Volt.Commands.Cas;

internal sealed class CasBuildCommand : VoltCommand
{
    private static readonly Argument<string> Dir = new Argument<string>("dir") { Description = "Directory to store" }.AcceptPath();
    private static readonly Option<string?> Ref = new("--ref") { Description = "Ref to name the tree (default: images/<dir name>)", HelpName = "NAME" };
    private static readonly Option<bool> NoCache = new("--no-cache") { Description = "Read and hash every file, even those whose stat data is unchanged since the last build" };

    public CasBuildCommand() : base("build", "Store every file of a directory as objects and name the tree with a ref")
    {
        Add(Dir); Add(Ref); Add(NoCache);
        Examples =
        [
            "volt cas build /var/lib/volt/images/debian --ref images/debian",
            "volt cas build ./rootfs                 # ref images/rootfs",
            "volt cas build ./site -o json           # summary as JSON",
            "volt cas build ./rootfs --no-cache      # re-hash every file, trusting no stat data",
        ];
    }

    public override string AuditAction => "cas.build";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var dir = parse.GetValue(Dir)!;
        var refName = parse.GetValue(Ref) ?? TreeBuilder.DefaultRefName(dir);
        ctx.AuditResource = refName;
        var counters = new BuildCounters();
        var builder = new TreeBuilder(ctx.Engines.Cas, ctx.Parallelism);
        var r = ProgressDisplay.Run(ctx.ShowProgress, ctx.Out.Palette, $"Storing {Path.GetFileName(Path.GetFullPath(dir))}",
            () => (counters.BytesDone, counters.BytesTotal), () => builder.Build(dir, refName, counters, ct, useCache: !parse.GetValue(NoCache)));
        ctx.Out.Object(new JsonObject
        {
            ["ref"] = r.Ref,
            ["manifest"] = r.Manifest.ToString(),
            ["files"] = r.Files,
            ["directories"] = r.Dirs,
            ["other_entries"] = r.Others,
            ["bytes"] = ctx.Out.Format == OutputFormat.Table ? Human.Bytes(r.Bytes) : r.Bytes,
            ["unchanged_files"] = r.CachedFiles,
            ["new_objects"] = r.NewObjects,
            ["new_bytes"] = ctx.Out.Format == OutputFormat.Table ? Human.Bytes(r.NewBytes) : r.NewBytes,
            ["deduplicated_bytes"] = ctx.Out.Format == OutputFormat.Table ? Human.Bytes(r.DedupBytes) : r.DedupBytes,
            ["time"] = ctx.Out.Format == OutputFormat.Table ? Human.Duration(r.Elapsed) : Math.Round(r.Elapsed.TotalSeconds, 3),
        });
        return Task.FromResult(0);
    }
}
