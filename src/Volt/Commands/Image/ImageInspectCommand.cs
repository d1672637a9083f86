using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;

namespace Volt.Commands.Image;

internal sealed class ImageInspectCommand : VoltCommand
{
    private static readonly Argument<string> ImageName = new("name") { Description = "Image name[:tag]" };

    public ImageInspectCommand() : base("inspect", "Show an image's record: config fields, tree, digests")
    {
        Add(ImageName);
        Examples = ["volt image inspect busybox", "volt image inspect 127.0.0.1:5000/app:v1 -o json", "volt image inspect web:1 -o yaml"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct) =>
        ExecuteFor(ctx, parse.GetValue(ImageName)!);

    /// <summary>Also <c>volt inspect</c>'s image case.</summary>
    public Task<int> ExecuteFor(VoltContext ctx, string name)
    {
        var img = ctx.Engines.Images.Get(name);
        var r = img.Record;
        static JsonArray Arr(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode)i)]);
        ctx.Out.Object(new JsonObject
        {
            ["name"] = img.Name.ToString(),
            ["id"] = r.Id,
            ["ref"] = img.RefName,
            ["record"] = img.Ref.Digest,
            ["tree"] = r.Tree,
            ["config"] = r.Config,
            ["manifest_digest"] = r.ManifestDigest,
            ["platform"] = r.Platform,
            ["env"] = Arr(r.Env),
            ["entrypoint"] = Arr(r.Entrypoint),
            ["cmd"] = Arr(r.Cmd),
            ["workdir"] = r.Workdir,
            ["user"] = r.User,
            ["exposed_ports"] = Arr(r.ExposedPorts),
            ["size"] = r.Size,
            ["created"] = r.Created?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        });
        return Task.FromResult(0);
    }
}
