using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Registry.Hosting;
using Volt.Rendering;
using Volt.Storage.Cas;

namespace Volt.Commands.Registry;

internal sealed class RegistryGcCommand : VoltCommand
{
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Report what would be removed without removing it" };

    public RegistryGcCommand() : base("gc", "Expire abandoned upload sessions and run the CAS garbage collector")
    {
        Add(DryRun);
        Examples = ["volt registry gc --dry-run", "volt registry delete myapp:old && volt registry gc"];
    }

    public override string AuditAction => "registry.gc";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var dry = parse.GetValue(DryRun);
        ctx.AuditResource = dry ? "registry (dry run)" : "registry";
        RegistryOptionValues.CheckConfig(ctx.Config.Section<RegistryConfig>());
        var store = ctx.Engines.RegistryStore;
        var (sessions, sessionBytes) = store.Uploads.Expire(ctx.Config.Section<RegistryConfig>().UploadExpiry, dry);
        var r = new GarbageCollector(store.Cas).Run(dry, ctx.Config.Section<CasConfig>().GcGrace, ct);
        var human = ctx.Out.Format == OutputFormat.Table;
        JsonNode Bytes(long b) => human ? Human.Bytes(b) : b;
        ctx.Out.Object(new JsonObject
        {
            ["dry_run"] = dry,
            [dry ? "upload_sessions_to_expire" : "upload_sessions_expired"] = sessions,
            ["upload_bytes"] = Bytes(sessionBytes),
            ["objects"] = r.Objects,
            ["live"] = r.Live,
            [dry ? "would_remove" : "removed"] = r.Swept,
            [dry ? "would_free" : "freed"] = Bytes(r.BytesFreed),
            ["kept_within_grace"] = r.KeptYoung,
            ["unparseable"] = Cas.CasGcCommand.UnparseableJson(r.Unparseable),
            ["time"] = human ? Human.Duration(r.Elapsed) : Math.Round(r.Elapsed.TotalSeconds, 3),
        });
        return Task.FromResult(0);
    }
}
