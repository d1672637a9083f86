using System.CommandLine;
using Volt.Cli;

namespace Volt.Commands.Compose;

internal sealed class ComposeDownCommand : VoltCommand
{
    private static readonly Option<bool> Volumes = new("--volumes", "-v") { Description = "Also remove the stack's named volumes (kept otherwise)" };
    private static readonly Option<bool> RemoveOrphans = new("--remove-orphans") { Description = "Accepted for compose compatibility: every instance the stack recorded is removed anyway" };

    public ComposeDownCommand() : base("down", "Stop and remove the stack's instances (dependents first) and its networks; volumes only with -v")
    {
        Add(Volumes); Add(RemoveOrphans);
        Examples = ["volt compose down", "volt compose down -v", "volt compose -p shop down"];
    }

    public override string AuditAction => "compose.down";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var (name, model) = ComposeCommands.Target(ctx, parse);
        ctx.AuditResource = name;
        var resolved = model is null ? null : ComposeCommands.Resolve(ctx, model);
        // One-off containers kept by `compose run` without --rm (compose's down removes them too), before the networks go.
        foreach (var r in await Composition.Adapters.OneOffContainers.RemoveKeptAsync(ctx.Engines, name, ct))
            ctx.Out.Line($"{ctx.Out.Palette.Good("✔")} {r}: removed");
        await ctx.Engines.Orchestrator(name).DownAsync(name, resolved, parse.GetValue(Volumes), new ComposeCommands.ProgressLines(ctx), ct);
        ctx.Out.Line($"Stack \"{name}\" is down.");
        return 0;
    }
}
