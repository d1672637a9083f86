using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Rendering;

namespace Volt.Commands.Image;

internal sealed class ImageHistoryCommand : VoltCommand
{
    private static readonly Argument<string> NameArg = new("name") { Description = "Image name", HelpName = "NAME[:TAG]" };

    public ImageHistoryCommand() : base("history", "Show the steps an image was built (or created) with, newest first")
    {
        Add(NameArg);
        Examples = ["volt image history app:1", "volt image history app:1 -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var img = ctx.Engines.Images.Get(parse.GetValue(NameArg)!);
        var config = JsonNode.Parse(ctx.Engines.Cas.ReadAllBytes(img.Record.ConfigDigest)) as JsonObject;
        var now = ctx.Time.GetUtcNow();
        var rows = new List<JsonObject>();
        if (config?["history"] is JsonArray history)
            foreach (var h in history.Reverse())
                if (h is JsonObject o)
                    rows.Add(new JsonObject
                    {
                        ["created"] = o["created"]?.GetValue<string>(),
                        ["created_by"] = o["created_by"]?.GetValue<string>() ?? "",
                        ["empty_layer"] = o["empty_layer"]?.GetValue<bool>() ?? false,
                        ["comment"] = o["comment"]?.GetValue<string>() ?? "",
                    });
        ctx.Out.List(rows,
        [
            new Column("CREATED", "created", n => DateTimeOffset.TryParse((string?)n, out var t) ? Human.Ago(t, now) : "-"),
            new Column("CREATED BY", "created_by", n => (string?)n is { Length: > 70 } s ? s[..67] + "..." : (string?)n ?? ""),
            new Column("COMMENT", "comment"),
        ]);
        return Task.FromResult(0);
    }
}
