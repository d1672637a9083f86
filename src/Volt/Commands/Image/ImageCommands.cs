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
        new ImagePullCommand(), new ImageImportCommand(), new ImageBuildCommand(), new ImageCreateCommand(), new ImageBuildFileCommand(), new ImageHistoryCommand(), new ImageListCommand(), new ImageInspectCommand(),
        new ImageRmCommand(), new ImageTagCommand(), new ImagePushCommand(), new Prune.ImagePruneCommand())
    {
        Examples = ["volt image pull 127.0.0.1:5000/busybox:1.36", "volt image list", "volt image inspect busybox -o json"],
    };

    public static readonly Option<string?> PlatformOption = new("--platform") { Description = "os/arch[/variant] to pick from a multi-platform image (default linux/amd64)", HelpName = "OS/ARCH" };

    /// <summary>The summary every pull, import and build prints.</summary>
    public static void Summary(VoltContext ctx, PullResult r, params (string Key, string Value)[] extra)
    {
        var table = ctx.Out.Format == OutputFormat.Table;
        var o = new JsonObject
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
        };
        foreach (var (k, v) in extra) o[k] = v;
        ctx.Out.Object(o);
    }

    /// <summary>
    /// Progress lines of a long build on stderr (human output only, so json/yaml stay clean): dimmed on a terminal,
    /// plain otherwise.
    /// </summary>
    public static IProgress<string>? ProgressLines(VoltContext ctx)
    {
        if (ctx.Out.Format != OutputFormat.Table) return null;
        var err = ctx.Console.Error;
        var gate = new object();
        return new SyncProgress<string>(line => { lock (gate) err.WriteLine(line); });
    }

    /// <summary>
    /// A build's progress on stderr (human output only): <c>STEP 3/9: RUN make (cached)</c> lines (bold on a terminal),
    /// the steps' own output as it comes, and notes.
    /// </summary>
    public static IProgress<Volt.Images.Build.BuildProgress>? BuildProgressLines(VoltContext ctx)
    {
        if (ctx.Out.Format != OutputFormat.Table) return null;
        var err = ctx.Console.Error;
        var palette = ctx.Console.IsErrorTerminal ? ctx.Out.Palette : new Palette(false);
        var gate = new object();
        return new SyncProgress<Volt.Images.Build.BuildProgress>(p =>
        {
            var line = p.Kind switch
            {
                Volt.Images.Build.BuildProgressKind.Step => palette.Header(p.Text),
                Volt.Images.Build.BuildProgressKind.Info => palette.Dim(p.Text),
                _ => p.Text,
            };
            lock (gate) err.WriteLine(line);
        });
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread (Progress posts to the pool).</summary>
    public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>Runs async engine work under a byte progress bar.</summary>
    public static T WithProgress<T>(VoltContext ctx, string title, TransferCounters counters, Func<Task<T>> work) =>
        ProgressDisplay.Run(ctx.ShowProgress, ctx.Out.Palette, title, () => (counters.BytesDone, counters.BytesTotal),
            () => work().GetAwaiter().GetResult());
}
