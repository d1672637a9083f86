using System.CommandLine;
using Volt.Cli;
using Volt.Commands.Cas;
using Volt.Images;
using Volt.Images.Oci;
using Volt.Rendering;
using Volt.Storage.Cas;

namespace Volt.Commands.Image;

internal sealed class ImageBuildCommand : VoltCommand
{
    private static readonly Argument<string> Dir = new Argument<string>("dir") { Description = "Root filesystem directory" }.AcceptPath();
    private static readonly Option<string> NameOpt = new("--name") { Description = "Image name", HelpName = "NAME[:TAG]", Required = true };
    private static readonly Option<string[]> Env = new("--env") { Description = "Environment variable KEY=VALUE (repeatable)", HelpName = "KEY=VALUE" };
    private static readonly Option<string?> Cmd = new("--cmd") { Description = "Default command (split on spaces)", HelpName = "CMD" };
    private static readonly Option<string?> Entrypoint = new("--entrypoint") { Description = "Entrypoint (split on spaces)", HelpName = "CMD" };
    private static readonly Option<string?> Workdir = new Option<string?>("--workdir") { Description = "Working directory", HelpName = "DIR" }.AcceptPath();
    private static readonly Option<string?> User = new("--user") { Description = "User to run as", HelpName = "USER" };
    private static readonly Option<string[]> Port = new("--port") { Description = "Exposed port PORT[/tcp|udp] (repeatable)", HelpName = "PORT" };

    public ImageBuildCommand() : base("build-from-dir", "Make an image from a directory (each file an object, a config from flags)")
    {
        Add(Dir); Add(NameOpt); Add(Env); Add(Cmd); Add(Entrypoint); Add(Workdir); Add(User); Add(Port);
        Examples =
        [
            "volt image build-from-dir ./rootfs --name busybox:local --cmd /bin/sh",
            "volt image build-from-dir ./site --name web:1 --cmd 'httpd -f -p 80' --port 80",
        ];
    }

    public override string AuditAction => "image.build";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = ImageReference.Parse(parse.GetValue(NameOpt)!);
        ctx.AuditResource = name.ToString();
        static string[] Split(string? s) => s?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var env = parse.GetValue(Env) ?? [];
        static string Key(string kv) => kv.Split('=', 2)[0];
        var options = new DirImageOptions
        {
            Env = [.. new DirImageOptions().Env.Where(d => env.All(e => Key(e) != Key(d))), .. env], Cmd = Split(parse.GetValue(Cmd)), Entrypoint = Split(parse.GetValue(Entrypoint)),
            Workdir = parse.GetValue(Workdir), User = parse.GetValue(User), ExposedPorts = parse.GetValue(Port) ?? [],
        };
        var dir = parse.GetValue(Dir)!;
        var counters = new BuildCounters();
        var r = ProgressDisplay.Run(ctx.ShowProgress, ctx.Out.Palette, $"Storing {Path.GetFileName(Path.GetFullPath(dir))}",
            () => (counters.BytesDone, counters.BytesTotal),
            () => new DirImageBuilder(ctx.Engines.Cas, ctx.Parallelism, ctx.Time).Build(dir, name, options, counters, ct));
        ImageCommands.Summary(ctx, r);
        return Task.FromResult(0);
    }
}
