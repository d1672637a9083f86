using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Rendering;

namespace Volt.Commands.Image;

internal sealed class ImageRmCommand : VoltCommand
{
    private static readonly Argument<string[]> Names = new("name") { Description = "Images to remove", Arity = ArgumentArity.OneOrMore };

    public ImageRmCommand() : base("rm", "Remove image names (objects stay until 'volt cas gc')")
    {
        Aliases.Add("remove");
        Add(Names);
        Examples = ["volt image rm busybox:old", "volt image rm web:1 web:2 && volt cas gc"];
    }

    public override string AuditAction => "image.rm";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var names = parse.GetValue(Names)!;
        ctx.AuditResource = string.Join(",", names);
        var images = ctx.Engines.Images;
        foreach (var n in names) images.Get(n);
        var removed = names.Select(n => images.Remove(n).Name.ToString()).ToList();
        ctx.Out.Line($"Removed {string.Join(", ", removed)}. Run 'volt cas gc' to free unreferenced objects.");
        if (ctx.Out.Format != OutputFormat.Table) ctx.Out.Data(new JsonObject { ["removed"] = new JsonArray([.. removed.Select(n => (JsonNode)n)]) });
        return Task.FromResult(0);
    }
}
