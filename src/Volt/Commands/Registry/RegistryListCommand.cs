using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Rendering;

namespace Volt.Commands.Registry;

internal sealed class RegistryListCommand : VoltCommand
{
    public RegistryListCommand() : base("list", "List repositories with their tags, manifests and sizes")
    {
        Aliases.Add("ls");
        Examples = ["volt registry list", "volt registry list -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var now = ctx.Time.GetUtcNow();
        var rows = ctx.Engines.RegistryStore.Summaries().Select(r => new JsonObject
        {
            ["repository"] = r.Name,
            ["tags"] = new JsonArray([.. r.Tags.Select(t => (JsonNode)t)]),
            ["manifests"] = r.Manifests,
            ["blobs"] = r.Blobs,
            ["size"] = r.Size,
            ["updated"] = r.Updated?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        }).ToList();
        ctx.Out.List(rows,
        [
            new Column("REPOSITORY", "repository"),
            new Column("TAGS", "tags", n => n is JsonArray { Count: > 0 } a ? string.Join(",", a.Select(x => (string?)x)) : "<none>"),
            new Column("MANIFESTS", "manifests", RightAlign: true),
            new Column("SIZE", "size", Human.Bytes, RightAlign: true),
            new Column("UPDATED", "updated", n => DateTimeOffset.TryParse((string?)n, out var t) ? Human.Ago(t, now) : "-"),
        ]);
        return Task.FromResult(0);
    }
}
