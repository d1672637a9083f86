using System.CommandLine;
using Volt.Cli;
using Volt.Images;
using Volt.Images.Build;
using Volt.Images.Oci;

namespace Volt.Commands.Image;

internal sealed class ImageCreateCommand : VoltCommand
{
    private static readonly Argument<string> NameArg = new("name") { Description = "Image name", HelpName = "NAME[:TAG]" };
    private static readonly Option<string> From = new("--from") { Description = "Distribution and suite: debian:bookworm, debian:trixie, ubuntu:noble…", HelpName = "DISTRO:SUITE", Required = true };
    private static readonly Option<string[]> Include = new("--include") { Description = "Extra packages, comma-separated (repeatable)", HelpName = "PKG,…" };
    private static readonly Option<string?> Variant = new("--variant") { Description = "debootstrap variant: minbase (default), buildd, standard", HelpName = "VARIANT" };
    private static readonly Option<string?> Mirror = new("--mirror") { Description = "Archive URL (default: the host's apt mirror for Debian, else deb.debian.org / archive.ubuntu.com)", HelpName = "URL" };
    private static readonly Option<string?> Arch = new("--arch") { Description = "Debian architecture (default: the host's)", HelpName = "ARCH" };
    private static readonly Option<bool> NoCache = new("--no-cache") { Description = "Run debootstrap again even when the same inputs were built before" };

    public ImageCreateCommand() : base("create", "Build a distribution image with debootstrap (cached by its inputs)")
    {
        Add(NameArg); Add(From); Add(Include); Add(Variant); Add(Mirror); Add(Arch); Add(NoCache);
        Examples =
        [
            "volt image create debian:bookworm --from debian:bookworm",
            "volt image create gcc:bookworm --from debian:bookworm --include gcc,libc6-dev",
            "volt image create trixie-base --from debian:trixie --variant minbase --mirror http://deb.debian.org/debian",
        ];
    }

    public override string AuditAction => "image.create";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = ImageReference.Parse(parse.GetValue(NameArg)!);
        ctx.AuditResource = name.ToString();
        var spec = DistroSpec.Parse(parse.GetValue(From)!, parse.GetValue(Include) ?? [], parse.GetValue(Variant), parse.GetValue(Mirror),
            parse.GetValue(Arch), DirImageBuilder.HostArchitecture, AptSources.HostDebianMirror());
        var progress = ImageCommands.ProgressLines(ctx);
        var r = await ctx.Engines.DistroImages.CreateAsync(name, spec, progress, parse.GetValue(NoCache), ct);
        ImageCommands.Summary(ctx, r.Pull, ("source", r.Source));
        return 0;
    }
}
