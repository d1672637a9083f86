using System.CommandLine;
using Volt.Cli;
using Volt.Commands.Cas;
using Volt.Images;
using Volt.Images.Oci;

namespace Volt.Commands.Image;

internal sealed class ImageImportCommand : VoltCommand
{
    private static readonly Argument<string> PathArg = new Argument<string>("path") { Description = "OCI layout directory or docker-archive tar, optionally PATH:TAG" }.AcceptPath();
    private static readonly Option<string?> NameOpt = new("--name") { Description = "Name the image (default: the archive's tag or the path's name)", HelpName = "NAME[:TAG]" };

    public ImageImportCommand() : base("import", "Import an image from an OCI layout directory or a docker-archive tar")
    {
        Add(PathArg); Add(NameOpt); Add(ImageCommands.PlatformOption);
        Examples =
        [
            "volt image import ./busybox-oci --name busybox:1.36",
            "volt image import ./busybox-oci:1.36          # the layout's image tagged 1.36",
            "volt image import busybox.tar                  # podman save / skopeo docker-archive",
        ];
    }

    public override string AuditAction => "image.import";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var path = parse.GetValue(PathArg)!;
        var platform = Platform.Parse(parse.GetValue(ImageCommands.PlatformOption) ?? "linux/amd64");
        ctx.AuditResource = path;
        var counters = new TransferCounters();
        var r = ImageCommands.WithProgress(ctx, $"Importing {Path.GetFileName(path.TrimEnd('/'))}", counters,
            () => new ImageImporter(ctx.Engines.Cas).ImportAsync(path, parse.GetValue(NameOpt), platform, counters, ct));
        ctx.AuditResource = r.Image.Name.ToString();
        ImageCommands.Summary(ctx, r);
        return Task.FromResult(0);
    }
}
