using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Rendering;
using Volt.Storage.Cas;

namespace Volt.Commands.Cas;

internal sealed class CasStatusCommand : VoltCommand
{
    public CasStatusCommand() : base("status", "Show objects, bytes stored, refs and the deduplication ratio")
    {
        Examples = ["volt cas status", "volt cas status -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var s = StoreStats.Collect(ctx.Engines.Cas);
        var human = ctx.Out.Format == OutputFormat.Table;
        JsonNode Bytes(long b) => human ? Human.Bytes(b) : b;
        var by = new JsonObject();
        foreach (var (algo, v) in s.ByAlgorithm)
            if (v.Objects > 0 || algo == HashAlgo.Blake3)
                by[Digest.AlgoName(algo)] = human ? $"{v.Objects} objects, {Human.Bytes(v.Bytes)}" : new JsonObject { ["objects"] = v.Objects, ["bytes"] = v.Bytes };
        ctx.Out.Object(new JsonObject
        {
            ["path"] = s.Root,
            ["objects"] = s.Objects,
            ["stored_bytes"] = Bytes(s.StoredBytes),
            ["refs"] = s.Refs,
            ["logical_bytes"] = Bytes(s.LogicalBytes),
            ["dedup_ratio"] = human ? Human.Ratio(s.DedupRatio) : Math.Round(s.DedupRatio, 4),
            ["by_algorithm"] = by,
            ["staging_files"] = s.TempFiles,
        });
        return Task.FromResult(0);
    }
}
