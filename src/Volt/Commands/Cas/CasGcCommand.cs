using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.Config;
using Volt.Rendering;
using Volt.Storage.Cas;

namespace Volt.Commands.Cas;

internal sealed class CasGcCommand : VoltCommand
{
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Report what would be removed without removing it" };
    private static readonly Option<string?> Grace = new Option<string?>("--grace") { Description = "Keep unreferenced objects younger than this (default: config cas.gc_grace, 15m)", HelpName = "DURATION" }.AcceptDuration();

    public CasGcCommand() : base("gc", "Remove objects no ref reaches (mark and sweep); safe while builds and pushes run")
    {
        Add(DryRun); Add(Grace);
        Examples = ["volt cas gc --dry-run", "volt cas gc", "volt cas gc --grace 0s   # also sweep objects written moments ago"];
    }

    public override string AuditAction => "cas.gc";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var grace = parse.GetValue(Grace) is { } g ? DurationParser.Parse(g, "--grace") : ctx.Config.Section<CasConfig>().GcGrace;
        var dry = parse.GetValue(DryRun);
        ctx.AuditResource = dry ? "cas (dry run)" : "cas";
        var store = ctx.Engines.Cas;
        if (!store.IsInitialized) store.EnsureCreated();
        var r = new GarbageCollector(store).Run(dry, grace, ct);
        var human = ctx.Out.Format == OutputFormat.Table;
        ctx.Out.Object(new JsonObject
        {
            ["dry_run"] = r.DryRun,
            ["refs"] = r.Refs,
            ["objects"] = r.Objects,
            ["live"] = r.Live,
            [dry ? "would_remove" : "removed"] = r.Swept,
            [dry ? "would_free" : "freed"] = human ? Human.Bytes(r.BytesFreed) : r.BytesFreed,
            ["kept_within_grace"] = r.KeptYoung,
            ["staging_files_removed"] = r.TempsCleaned,
            ["unparseable"] = UnparseableJson(r.Unparseable),
            ["time"] = human ? Human.Duration(r.Elapsed) : Math.Round(r.Elapsed.TotalSeconds, 3),
        });
        return Task.FromResult(0);
    }

    /// <summary>Manifests GC or verify could not parse: reported, their named digests kept.</summary>
    internal static JsonArray UnparseableJson(IReadOnlyList<UnparseableObject>? list) =>
        new([.. (list ?? []).Select(u => (JsonNode)new JsonObject
        {
            ["digest"] = u.Digest.ToString(), ["problem"] = u.Problem, ["refs"] = new JsonArray([.. u.Refs.Select(x => (JsonNode)x)]),
        })]);
}
