using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Images.Build;
using Volt.Rendering;

namespace Volt.Commands.Image;

internal sealed class ImageBuildFileCommand : VoltCommand
{
    private static readonly Argument<string> Context = new Argument<string>("context") { Description = "Build context directory", DefaultValueFactory = _ => "." }.AcceptPath();
    private static readonly Option<string?> File = new Option<string?>("--file", "-f") { Description = "Containerfile (default: CONTEXT/Containerfile, else CONTEXT/Dockerfile)", HelpName = "FILE" }.AcceptPath();
    private static readonly Option<string[]> Tag = new("--tag", "-t") { Description = "Name the result NAME[:TAG] (repeatable)", HelpName = "NAME[:TAG]" };
    private static readonly Option<string[]> BuildArg = new("--build-arg") { Description = "Set a build argument (repeatable)", HelpName = "KEY=VALUE" };
    private static readonly Option<string?> Target = new("--target") { Description = "Build this stage (name or index) instead of the last", HelpName = "STAGE" };
    private static readonly Option<bool> NoCache = new("--no-cache") { Description = "Run every step (results still go to the cache)" };
    private static readonly Option<string?> Platform = new("--platform") { Description = "Target platform; only the host's (linux/amd64 here) can run RUN steps", HelpName = "OS/ARCH" };
    private static readonly Option<string?> Network = new("--network") { Description = "Network for RUN steps: none (default, build.network) or host", HelpName = "MODE" };
    private static readonly Option<string[]> Label = new("--label") { Description = "Add a label to the image (repeatable)", HelpName = "KEY=VALUE" };

    public ImageBuildFileCommand() : base("build", "Build an image from a Containerfile/Dockerfile (each step cached in the CAS)")
    {
        Add(Context); Add(File); Add(Tag); Add(BuildArg); Add(Target); Add(NoCache); Add(Platform); Add(Network); Add(Label);
        Examples =
        [
            "volt image build -t app:1 .",
            "volt image build -f build/Containerfile -t app:1 -t app:latest --build-arg VERSION=1.2 ./src",
            "volt image build --target builder --no-cache -t app:builder .",
        ];
    }

    public override string AuditAction => "image.build";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        static Dictionary<string, string> Pairs(string[]? items, string flag, Func<string, string?>? fallback = null)
        {
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var kv in items ?? [])
            {
                var p = kv.Split('=', 2);
                if (p[0].Length == 0) throw VoltException.Usage($"{flag} \"{kv}\": expected KEY=VALUE");
                if (p.Length == 2) d[p[0]] = p[1];
                else if (fallback?.Invoke(p[0]) is { } v) d[p[0]] = v; // --build-arg NAME takes the environment's value
                else throw VoltException.Usage($"{flag} \"{kv}\": expected KEY=VALUE");
            }
            return d;
        }
        var tags = parse.GetValue(Tag) ?? [];
        ctx.AuditResource = tags.FirstOrDefault() ?? parse.GetValue(Context);
        var req = new BuildRequest
        {
            Context = parse.GetValue(Context)!, File = parse.GetValue(File), Tags = tags,
            BuildArgs = Pairs(parse.GetValue(BuildArg), "--build-arg", n => ctx.Env[n]), Target = parse.GetValue(Target),
            NoCache = parse.GetValue(NoCache), Platform = parse.GetValue(Platform),
            Network = parse.GetValue(Network) ?? ctx.Engines.BuildConfig.Network, Labels = Pairs(parse.GetValue(Label), "--label"),
        };
        var r = await ctx.Engines.ImageBuilder.BuildAsync(req, ImageCommands.BuildProgressLines(ctx), ct);
        var table = ctx.Out.Format == OutputFormat.Table;
        ctx.Out.Object(new JsonObject
        {
            ["image"] = r.Image.Name.ToString(),
            ["id"] = r.Image.Record.Id,
            ["tags"] = new JsonArray([.. r.Tagged.Select(t => (JsonNode)t.Name.ToString())]),
            ["tree"] = r.Image.Record.Tree,
            ["steps"] = r.Steps.Count,
            ["cached"] = r.CachedSteps,
            ["size"] = table ? Human.Bytes(r.Image.Record.Size) : r.Image.Record.Size,
            ["time"] = table ? Human.Duration(r.Elapsed) : Math.Round(r.Elapsed.TotalSeconds, 3),
        });
        return 0;
    }
}
