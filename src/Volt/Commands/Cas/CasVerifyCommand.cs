using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Rendering;
using Volt.Storage.Cas;

namespace Volt.Commands.Cas;

internal sealed class CasVerifyCommand : VoltCommand
{
    private static readonly Option<bool> Repair = new("--repair") { Description = "Move corrupt objects to quarantine/ so a later pull or build can store them again" };

    public CasVerifyCommand() : base("verify", "Rehash every object; report corrupt ones and the refs that reach them")
    {
        Add(Repair);
        Examples = ["volt cas verify", "volt cas verify --repair", "volt cas verify -o json"];
    }

    public override string? AuditAction => "cas.verify";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var counters = new VerifyCounters();
        var verifier = new Verifier(ctx.Engines.Cas, ctx.Parallelism);
        var repair = parse.GetValue(Repair);
        ctx.AuditResource = repair ? "cas (repair)" : "cas";
        var r = ProgressDisplay.Run(ctx.ShowProgress, ctx.Out.Palette, "Verifying objects",
            () => (counters.BytesDone, counters.BytesTotal), () => verifier.Run(repair, counters, ct));
        if (ctx.Out.Format != OutputFormat.Table)
        {
            ctx.Out.Data(new JsonObject
            {
                ["ok"] = r.Ok, ["objects"] = r.Objects, ["bytes"] = r.Bytes,
                ["corrupt"] = new JsonArray([.. r.Corrupt.Select(c => (JsonNode)new JsonObject
                {
                    ["digest"] = c.Digest.ToString(), ["path"] = c.Path, ["problem"] = c.Problem,
                    ["refs"] = new JsonArray([.. c.Refs.Select(x => (JsonNode)x)]), ["quarantined_to"] = c.QuarantinedTo,
                })]),
                ["missing"] = new JsonArray([.. r.Missing.Select(m => (JsonNode)new JsonObject
                {
                    ["digest"] = m.Digest.ToString(), ["refs"] = new JsonArray([.. m.Refs.Select(x => (JsonNode)x)]),
                })]),
                ["stray_files"] = new JsonArray([.. r.Strays.Select(x => (JsonNode)x)]),
                ["unparseable"] = CasGcCommand.UnparseableJson(r.Unparseable),
                ["staging_files_removed"] = r.TempsCleaned,
                ["seconds"] = Math.Round(r.Elapsed.TotalSeconds, 3),
            });
        }
        else
        {
            var o = ctx.Console.Out;
            foreach (var c in r.Corrupt)
            {
                o.WriteLine($"{ctx.Out.Palette.Error("corrupt")} {c.Digest}: {c.Problem}");
                o.WriteLine($"  path: {c.Path}");
                o.WriteLine($"  reached by: {(c.Refs.Count == 0 ? "no ref" : string.Join(", ", c.Refs))}");
                if (c.QuarantinedTo is not null) o.WriteLine($"  quarantined to: {c.QuarantinedTo}");
            }
            foreach (var m in r.Missing)
                o.WriteLine($"{ctx.Out.Palette.Error("missing")} {m.Digest}: needed by {string.Join(", ", m.Refs)}");
            foreach (var s in r.Strays) o.WriteLine($"{ctx.Out.Palette.Warning("stray")} {s}: not named by a digest");
            foreach (var u in r.Unparseable ?? [])
                o.WriteLine($"{ctx.Out.Palette.Warning("unparseable")} {u.Digest}: {u.Problem} (reached by {string.Join(", ", u.Refs)}; every digest it names is kept)");
            o.WriteLine($"Checked {r.Objects} objects ({Human.Bytes(r.Bytes)}) in {Human.Duration(r.Elapsed)}: " +
                (r.Ok ? ctx.Out.Palette.Good("all intact") : $"{r.Corrupt.Count} corrupt, {r.Missing.Count} missing") +
                (r.TempsCleaned > 0 ? $"; removed {r.TempsCleaned} leftover staging files" : ""));
        }
        if (r.Ok) return Task.FromResult(0);
        throw new VoltException(ExitCode.General,
            $"CAS verification failed: {r.Corrupt.Count} corrupt and {r.Missing.Count} missing object(s)" + (repair ? " (corrupt objects quarantined)" : "; run 'volt cas verify --repair' to quarantine corrupt objects"));
    }
}
