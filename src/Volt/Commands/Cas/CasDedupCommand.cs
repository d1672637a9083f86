using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Rendering;
using Volt.Storage.Cas;

namespace Volt.Commands.Cas;

internal sealed class CasDedupCommand : VoltCommand
{
    private static readonly Argument<string?> Dir = new Argument<string?>("dir") { Description = "Also analyse this directory: what hard-linking its identical files would save", Arity = ArgumentArity.ZeroOrOne }.AcceptPath();
    private static readonly Option<int> Top = new Option<int>("--top") { Description = "How many duplicated files to list", DefaultValueFactory = _ => 10 }.AcceptInt(0);

    public CasDedupCommand() : base("dedup", "Deduplication analysis: logical vs stored bytes and the most duplicated files")
    {
        Add(Dir); Add(Top);
        Examples = ["volt cas dedup", "volt cas dedup /srv/www --top 20", "volt cas dedup -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var analyzer = new DedupAnalyzer(ctx.Engines.Cas, ctx.Parallelism);
        var top = Math.Max(0, parse.GetValue(Top));
        var human = ctx.Out.Format == OutputFormat.Table;
        JsonNode Bytes(long b) => human ? Human.Bytes(b) : b;
        JsonArray Groups(IReadOnlyList<DuplicateGroup> groups) => new([.. groups.Select(g => (JsonNode)new JsonObject
        {
            ["digest"] = g.Digest.ToString(), ["size"] = Bytes(g.Size), ["copies"] = g.Copies, ["saved"] = Bytes(g.Saved),
            ["examples"] = new JsonArray([.. g.Examples.Select(e => (JsonNode)e)]),
        })]);

        var s = analyzer.AnalyzeStore(top);
        var result = new JsonObject
        {
            ["store"] = new JsonObject
            {
                ["file_entries"] = s.FileEntries, ["unique_objects"] = s.UniqueObjects,
                ["logical_bytes"] = Bytes(s.LogicalBytes), ["stored_bytes"] = Bytes(s.UniqueBytes),
                ["saved_bytes"] = Bytes(s.LogicalBytes - s.UniqueBytes),
                ["ratio"] = human ? Human.Ratio(s.UniqueBytes == 0 ? 1 : (double)s.LogicalBytes / s.UniqueBytes) : Math.Round(s.UniqueBytes == 0 ? 1 : (double)s.LogicalBytes / s.UniqueBytes, 4),
                ["most_duplicated"] = Groups(s.Top),
            },
        };
        if (parse.GetValue(Dir) is { } dir)
        {
            var t = analyzer.AnalyzeTree(dir, top, ct);
            result["tree"] = new JsonObject
            {
                ["path"] = t.Path, ["files"] = t.Files, ["bytes"] = Bytes(t.Bytes), ["duplicate_files"] = t.DuplicateFiles,
                ["hardlink_savings"] = Bytes(t.HardlinkSavings), ["already_in_store"] = Bytes(t.AlreadyInStore),
                ["most_duplicated"] = Groups(t.Top),
            };
        }
        ctx.Out.Object(result);
        return Task.FromResult(0);
    }
}
