using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Rendering;
using Volt.Storage.Cas;

namespace Volt.Commands.Cas;

internal sealed class CasLsRefsCommand : VoltCommand
{
    private static readonly Argument<string?> Prefix = new("prefix") { Description = "Only refs under this prefix (images, registry/…)", Arity = ArgumentArity.ZeroOrOne };

    public CasLsRefsCommand() : base("ls-refs", "List refs: name, kind, target digest, logical size, last update")
    {
        Add(Prefix);
        Examples = ["volt cas ls-refs", "volt cas ls-refs images", "volt cas ls-refs -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var prefix = parse.GetValue(Prefix) ?? "";
        if (prefix.Length > 0) RefStore.Validate(prefix.TrimEnd('/'));
        var now = ctx.Time.GetUtcNow();
        var rows = ctx.Engines.Cas.Refs.List(prefix).Select(r => new JsonObject
        {
            ["name"] = r.Name, ["kind"] = r.Kind, ["digest"] = r.Digest, ["size"] = r.Size,
            ["updated"] = r.Updated.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        }).ToList();
        ctx.Out.List(rows,
        [
            new Column("NAME", "name"), new Column("KIND", "kind"), new Column("DIGEST", "digest", Human.ShortDigest),
            new Column("SIZE", "size", Human.Bytes, RightAlign: true),
            new Column("UPDATED", "updated", n => DateTimeOffset.TryParse((string?)n, out var t) ? Human.Ago(t, now) : "-"),
        ]);
        return Task.FromResult(0);
    }
}

internal sealed class CasRmRefCommand : VoltCommand
{
    private static readonly Argument<string[]> Names = new("name") { Description = "Refs to remove", Arity = ArgumentArity.OneOrMore };

    public CasRmRefCommand() : base("rm-ref", "Remove refs (objects stay until 'volt cas gc')")
    {
        Add(Names);
        Examples = ["volt cas rm-ref images/old", "volt cas rm-ref images/a images/b && volt cas gc"];
    }

    public override string AuditAction => "cas.rm-ref";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var names = parse.GetValue(Names)!;
        ctx.AuditResource = string.Join(",", names);
        foreach (var n in names) RefStore.Validate(n);
        var store = ctx.Engines.Cas;
        var missing = names.Where(n => store.Refs.TryGet(n) is null).ToList();
        if (missing.Count > 0) throw VoltException.NotFound($"ref{(missing.Count > 1 ? "s" : "")} not found: {string.Join(", ", missing)}");
        using (store.WriterLock())
            foreach (var n in names) store.Refs.Delete(n);
        ctx.Out.Line($"Removed {names.Length} ref{(names.Length > 1 ? "s" : "")}. Run 'volt cas gc' to free unreferenced objects.");
        if (ctx.Out.Format != OutputFormat.Table) ctx.Out.Data(new JsonObject { ["removed"] = new JsonArray([.. names.Select(n => (JsonNode)n)]) });
        return Task.FromResult(0);
    }
}
