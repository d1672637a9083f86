using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;

namespace Volt.Commands.Image;

internal sealed class ImageTagCommand : VoltCommand
{
    private static readonly Argument<string> Source = new("source") { Description = "Existing image name[:tag]" };
    private static readonly Argument<string> Target = new("target") { Description = "New name[:tag]" };

    public ImageTagCommand() : base("tag", "Give an image another name (same tree and config)")
    {
        Add(Source); Add(Target);
        Examples = ["volt image tag busybox:local 127.0.0.1:5000/busybox:1.36", "volt image tag web:1 web:stable"];
    }

    public override string AuditAction => "image.tag";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var source = parse.GetValue(Source)!;
        var target = parse.GetValue(Target)!;
        ctx.AuditResource = $"{source}->{target}";
        var tagged = ctx.Engines.Images.Tag(source, target);
        ctx.Out.Object(new JsonObject { ["image"] = tagged.Name.ToString(), ["id"] = tagged.Record.Id, ["ref"] = tagged.RefName });
        return Task.FromResult(0);
    }
}
