using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Images;
using Volt.Images.Store;
using Volt.Rendering;

namespace Volt.Commands.Image;

internal static class ImageCommands
{
    public static Command Group() => new GroupCommand("image", "Container images: pull, import, build, push, list, inspect",
        new ImagePullCommand(), new ImageImportCommand(), new ImageBuildCommand(), new ImageListCommand(), new ImageInspectCommand(),
        new ImageRmCommand(), new ImageTagCommand(), new ImagePushCommand(), new Prune.ImagePruneCommand())
    {
        Examples = ["volt image pull 127.0.0.1:5000/busybox:1.36", "volt image list", "volt image inspect busybox -o json"],
    };

    public static readonly Option<string?> PlatformOption = new("--platform") { Description = "os/arch[/variant] to pick from a multi-platform image (default linux/amd64)", HelpName = "OS/ARCH" };

    /// <summary>The summary every pull, import and build prints.</summary>
    public static void Summary(VoltContext ctx, PullResult r)
    {
        var table = ctx.Out.Format == OutputFormat.Table;
        ctx.Out.Object(new JsonObject
        {
            ["image"] = r.Image.Name.ToString(),
            ["id"] = r.Image.Record.Id,
            ["ref"] = r.Image.RefName,
            ["platform"] = r.Image.Record.Platform,
            ["layers"] = r.Layers,
            ["files"] = r.Files,
            ["size"] = table ? Human.Bytes(r.Image.Record.Size) : r.Image.Record.Size,
            ["new_objects"] = r.NewObjects,
            ["new_bytes"] = table ? Human.Bytes(r.NewBytes) : r.NewBytes,
            ["time"] = table ? Human.Duration(r.Elapsed) : Math.Round(r.Elapsed.TotalSeconds, 3),
        });
    }

    /// <summary>Runs async engine work under a byte progress bar.</summary>
    public static T WithProgress<T>(VoltContext ctx, string title, TransferCounters counters, Func<Task<T>> work) =>
        ProgressDisplay.Run(ctx.ShowProgress, ctx.Out.Palette, title, () => (counters.BytesDone, counters.BytesTotal),
            () => work().GetAwaiter().GetResult());
}
