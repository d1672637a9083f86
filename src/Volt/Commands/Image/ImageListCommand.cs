using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Rendering;

namespace Volt.Commands.Image;

internal sealed class ImageListCommand : VoltCommand
{
    public ImageListCommand() : base("list", "List images: name, tag, ID, size, creation time")
    {
        Aliases.Add("ls");
        Examples = ["volt image list", "volt image ls -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var now = ctx.Time.GetUtcNow();
        var rows = ctx.Engines.Images.List().Select(i => new JsonObject
        {
            ["name"] = i.Name.Name,
            ["tag"] = i.Name.Digest ?? i.Name.Tag,
            ["id"] = i.Record.Id,
            ["size"] = i.Record.Size,
            ["created"] = i.Record.Created?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            ["platform"] = i.Record.Platform,
            ["ref"] = i.RefName,
        }).ToList();
        ctx.Out.List(rows,
        [
            new Column("NAME", "name"), new Column("TAG", "tag"), new Column("ID", "id"),
            new Column("SIZE", "size", Human.Bytes, RightAlign: true),
            new Column("CREATED", "created", n => DateTimeOffset.TryParse((string?)n, out var t) ? Human.Ago(t, now) : "-"),
        ]);
        return Task.FromResult(0);
    }
}
