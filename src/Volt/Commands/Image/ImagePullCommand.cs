using System.CommandLine;
using Volt.Cli;
using Volt.Commands.Cas;
using Volt.Images;
using Volt.Images.Distribution;
using Volt.Images.Oci;
using Volt.Images.Sources;

namespace Volt.Commands.Image;

internal sealed class ImagePullCommand : VoltCommand
{
    private static readonly Argument<string> Ref = new("ref") { Description = "Image reference: [host[:port]/]name[:tag|@digest]" };
    private static readonly Option<string?> Creds = new("--creds") { Description = "Registry credentials USER:PASSWORD (or a token as the password)", HelpName = "USER:PASSWORD" };
    private static readonly Option<bool> Insecure = new("--insecure") { Description = "Use plain HTTP (always the case for 127.0.0.1 and localhost)" };

    public ImagePullCommand() : base("pull", "Pull an image from an OCI registry into the CAS: one object per file")
    {
        Add(Ref); Add(ImageCommands.PlatformOption); Add(Creds); Add(Insecure);
        Examples =
        [
            "volt image pull 127.0.0.1:5000/busybox:1.36",
            "volt image pull registry.example.com/team/app:v2 --creds ci:$TOKEN",
            "volt image pull 127.0.0.1:5000/multi:1 --platform linux/arm64",
        ];
    }

    public override string AuditAction => "image.pull";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var reference = ImageReference.Parse(parse.GetValue(Ref)!);
        var platform = Platform.Parse(parse.GetValue(ImageCommands.PlatformOption) ?? "linux/amd64");
        ctx.AuditResource = reference.ToString();
        var counters = new TransferCounters();
        using var source = new RegistrySource(new RegistryClient(reference, RegistryCredentials.Parse(parse.GetValue(Creds)), parse.GetValue(Insecure)));
        var r = ImageCommands.WithProgress(ctx, $"Pulling {reference}", counters,
            () => new ImagePuller(ctx.Engines.Cas).PullAsync(source, reference, platform, counters, ct));
        ImageCommands.Summary(ctx, r);
        return Task.FromResult(0);
    }
}
