using System.CommandLine;
using Volt.Cli;
using Volt.Compose.Execution;
using Volt.Compose.Planning;
using Volt.Core.Errors;

namespace Volt.Commands.Compose;

internal sealed class ComposeUpCommand : VoltCommand
{
    private static readonly Option<bool> Detach = new("--detach", "-d") { Description = "Return once the stack is up (default: follow its logs, and stop it on Ctrl+C)" };
    private static readonly Option<bool> ForceRecreate = new("--force-recreate") { Description = "Recreate every instance even if its settings did not change" };
    private static readonly Option<bool> Build = new("--build") { Description = "Build the images of build: services again before starting (a changed context recreates their instances)" };
    private static readonly Option<bool> NoDeps = new("--no-deps") { Description = "Do not start the services the named ones depend on" };
    private static readonly Option<bool> RemoveOrphans = new("--remove-orphans") { Description = "Remove instances of services no longer in the files" };
    private static readonly Option<string?> WaitTimeout = new("--wait-timeout") { Description = "How long a dependency may take to become healthy or complete (default 5m)", HelpName = "DURATION" };

    public ComposeUpCommand() : base("up", "Create and start the stack: networks, volumes, then services in dependency order (unchanged ones are kept)")
    {
        Add(ComposeCommands.Services); Add(Detach); Add(Build); Add(ForceRecreate); Add(NoDeps); Add(RemoveOrphans); Add(WaitTimeout);
        Examples = ["volt compose up -d", "volt compose up -d --force-recreate web", "volt compose up -d --build", "volt compose -p shop -f compose.yaml up -d", "volt compose up   # attached: Ctrl+C stops the stack"];
    }

    public override string AuditAction => "compose.up";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var model = ComposeCommands.Load(ctx, parse);
        ctx.AuditResource = model.Name;
        var stack = ComposeCommands.Resolve(ctx, model);
        var services = new HashSet<string>(parse.GetValue(ComposeCommands.Services) ?? [], StringComparer.Ordinal);
        foreach (var s in services) if (!model.Workloads.ContainsKey(s)) throw VoltException.NotFound($"no service \"{s}\" in the stack");
        if (services.Count > 0 && !parse.GetValue(NoDeps)) services = WithDependencies(model, services);
        var options = new UpOptions
        {
            Plan = new PlanOptions { ForceRecreate = parse.GetValue(ForceRecreate), RemoveOrphans = parse.GetValue(RemoveOrphans), Services = services },
            Build = parse.GetValue(Build),
            WaitTimeout = parse.GetValue(WaitTimeout) is { } w ? Core.Config.DurationParser.Parse(w, "--wait-timeout") : TimeSpan.FromMinutes(5),
        };
        var progress = new ComposeCommands.ProgressLines(ctx);
        var state = await ctx.Engines.Orchestrator(model.Name).UpAsync(model, stack, options, progress, ct);
        ctx.Out.Line($"Stack \"{model.Name}\" is up: {state.Instances.Count} instance{(state.Instances.Count == 1 ? "" : "s")}.");
        if (ctx.Out.Format != Rendering.OutputFormat.Table)
            ctx.Out.Data(new System.Text.Json.Nodes.JsonArray([.. state.Instances.Values.Select(i => (System.Text.Json.Nodes.JsonNode)ComposeCommands.Row(ctx, state, i))]));
        if (parse.GetValue(Detach)) return 0;
        // Attached, as compose: the logs until Ctrl+C, then the stack stops (its instances stay, as compose's do).
        try { await ComposeLogsCommand.FollowAsync(ctx, model.Name, [.. state.Instances.Values], tail: 0, follow: true, ct); }
        catch (OperationCanceledException) { }
        ctx.Out.Line("Stopping…");
        await ComposeLifecycleCommand.StopAllAsync(ctx, model.Name, [.. state.Instances.Values], CancellationToken.None);
        return 0;
    }

    private static HashSet<string> WithDependencies(Volt.Compose.Model.StackModel m, HashSet<string> services)
    {
        var all = new HashSet<string>(StringComparer.Ordinal);
        void Add(string s) { if (all.Add(s)) foreach (var d in m.Workloads[s].DependsOn.Keys) Add(d); }
        foreach (var s in services) Add(s);
        return all;
    }
}
