using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Commands.Cas;
using Volt.Images.Distribution;
using Volt.Images.Oci;
using Volt.Images.Push;
using Volt.Rendering;

namespace Volt.Commands.Image;

internal sealed class ImagePushCommand : VoltCommand
{
    private static readonly Argument<string> Ref = new("ref") { Description = "Destination [host[:port]/]name[:tag]; also the local image unless --image names another" };
    private static readonly Option<string?> Source = new("--image") { Description = "Local image to push (default: REF itself)", HelpName = "NAME[:TAG]" };
    private static readonly Option<string?> Creds = new("--creds") { Description = "Registry credentials USER:PASSWORD", HelpName = "USER:PASSWORD" };
    private static readonly Option<bool> Insecure = new("--insecure") { Description = "Use plain HTTP (always the case for 127.0.0.1 and localhost)" };

    public ImagePushCommand() : base("push", "Push an image to an OCI registry (a pulled image as it came, else one reproducible gzip layer)")
    {
        Add(Ref); Add(Source); Add(Creds); Add(Insecure);
        Examples =
        [
            "volt image tag web:1 127.0.0.1:5000/web:1 && volt image push 127.0.0.1:5000/web:1",
            "volt image push 127.0.0.1:5000/web:1 --image web:1",
        ];
    }

    public override string AuditAction => "image.push";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var dest = ImageReference.Parse(parse.GetValue(Ref)!);
        if (dest.Registry is null) throw Core.Errors.VoltException.Usage($"push needs a registry host in \"{dest}\" (e.g. 127.0.0.1:5000/{dest.Repository}:{dest.Tag})");
        ctx.AuditResource = dest.ToString();
        var image = ctx.Engines.Images.Get(parse.GetValue(Source) ?? parse.GetValue(Ref)!);
        var counters = new Volt.Images.TransferCounters();
        using var client = new RegistryClient(dest, RegistryCredentials.Parse(parse.GetValue(Creds)), parse.GetValue(Insecure));
        var r = ImageCommands.WithProgress(ctx, $"Pushing {dest}", counters, () => new ImagePusher(ctx.Engines.Cas).PushAsync(image, client, counters, ct));
        var table = ctx.Out.Format == OutputFormat.Table;
        ctx.Out.Object(new JsonObject
        {
            ["pushed"] = r.Reference, ["manifest"] = r.ManifestDigest, ["layer"] = r.LayerDigest,
            ["original"] = r.Original,
            ["blobs_uploaded"] = r.BlobsUploaded,
            ["layer_size"] = table ? Human.Bytes(r.LayerSize) : r.LayerSize,
            ["uploaded"] = table ? Human.Bytes(r.BytesUploaded) : r.BytesUploaded,
            ["time"] = table ? Human.Duration(r.Elapsed) : Math.Round(r.Elapsed.TotalSeconds, 3),
        });
        return Task.FromResult(0);
    }
}
