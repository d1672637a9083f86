using System.CommandLine;
using Volt.Cli;
using Volt.Compose.Execution;
using Volt.Compose.Planning;
using Volt.Core.Errors;

namespace Volt.Commands.Compose;

/// <summary><c>start</c>, <c>stop</c>, <c>restart</c> of a stack's existing instances (nothing created or removed).</summary>
internal sealed class ComposeLifecycleCommand : VoltCommand
{
    private readonly string _verb;

    public ComposeLifecycleCommand(string verb) : base(verb, verb switch
    {
        "start" => "Start the stack's existing instances (dependencies first)",
        "stop" => "Stop the stack's instances (dependents first); they stay, for start",
        _ => "Stop and start the stack's instances",
    })
    {
        _verb = verb;
        Add(ComposeCommands.Services);
        Examples = [$"volt compose {verb}", $"volt compose {verb} web"];
    }

    public override string AuditAction => "compose." + _verb;

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var (name, _) = ComposeCommands.Target(ctx, parse);
        ctx.AuditResource = name;
        var instances = ComposeCommands.Instances(ctx, name, parse.GetValue(ComposeCommands.Services) ?? []);
        if (_verb is "stop" or "restart") await StopAllAsync(ctx, name, instances, ct);
        if (_verb is "start" or "restart")
        {
            var rt = new Composition.Adapters.StackRuntime(ctx.Engines, name);
            foreach (var i in instances)
                if (rt.Status(i.Name).State != InstanceState.Running)
                {
                    await rt.StartAsync(i.Name, ct);
                    ctx.Out.Line($"{i.Service} ({i.Name}): started");
                }
        }
        return 0;
    }

    internal static async Task StopAllAsync(VoltContext ctx, string stack, IReadOnlyList<InstanceSpec> instances, CancellationToken ct)
    {
        var rt = new Composition.Adapters.StackRuntime(ctx.Engines, stack);
        await Task.WhenAll(instances.Where(i => rt.Status(i.Name).State == InstanceState.Running).Select(async i =>
        {
            await rt.StopAsync(i.Name, TimeSpan.FromSeconds(i.StopGraceSeconds), ct);
            ctx.Out.Line($"{i.Service} ({i.Name}): stopped");
        }));
    }
}

internal sealed class ComposePullCommand : VoltCommand
{
    public ComposePullCommand() : base("pull", "Check that every service's image is in Volt's image store (images come from volt image pull|create|build)")
    {
        Add(ComposeCommands.Services);
        Examples = ["volt compose pull"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var model = ComposeCommands.Load(ctx, parse);
        var stack = ComposeCommands.Resolve(ctx, model);
        var only = parse.GetValue(ComposeCommands.Services) ?? [];
        var rt = new Composition.Adapters.StackRuntime(ctx.Engines, model.Name);
        var missing = new List<string>();
        foreach (var s in stack.Services.Where(s => only.Length == 0 || only.Contains(s.Name)))
        {
            var i = s.Instances.FirstOrDefault();
            if (i is null) continue;
            try { await rt.PrepareImageAsync(i, rebuild: false, ct); ctx.Out.Line($"{s.Name}: {i.Image} present"); }
            catch (VoltException e) when (e.Code == ExitCode.NotFound) { missing.Add($"{s.Name} ({i.Image})"); }
        }
        return missing.Count == 0 ? 0 : throw VoltException.NotFound($"images not in the store for: {string.Join(", ", missing)}");
    }
}

internal sealed class ComposeExecCommand : VoltCommand, ITrailingCommand
{
    private static readonly Argument<string> Service = new("SERVICE") { Description = "Service whose first instance runs the command" };
    private static readonly Argument<string[]> Command = new("COMMAND") { Description = "Command and arguments", Arity = ArgumentArity.OneOrMore };
    private static readonly Option<int> Index = new("--index") { Description = "Which replica (1-based)", DefaultValueFactory = _ => 1 };

    public ComposeExecCommand() : base("exec", "Run a command in a service's running instance; returns its exit code")
    {
        Add(Service); Add(Command); Add(Index);
        Examples = ["volt compose exec db mysqladmin ping", "volt compose exec --index 2 web cat /etc/hostname"];
    }

    public int PositionalsBeforeCommand => 1;

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var (name, _) = ComposeCommands.Target(ctx, parse);
        var service = parse.GetValue(Service)!;
        var index = parse.GetValue(Index);
        var inst = ComposeCommands.Instances(ctx, name, [service]).FirstOrDefault(i => i.Index == index)
            ?? throw VoltException.NotFound($"service \"{service}\" has no instance {index}");
        return Workloads.Runtime.ContainerExec.RunAsync(ctx.Engines.Containers, inst.Name, parse.GetValue(Command) ?? [], ct);
    }
}
