using System.CommandLine;
using Volt.Cli;
using Volt.Compose.Execution;
using Volt.Compose.Planning;
using Volt.Core.Errors;
using Volt.Workloads.Nspawn;
using Volt.Workloads.Runtime;

namespace Volt.Commands.Compose;

/// <summary>
/// <c>volt compose run [--rm] [--no-deps] SERVICE [CMD…]</c>: a one-off container from the service's settings
/// (entrypoint kept, command replaced, no published ports, no restart policy, no health check) on the stack's
/// networks, in the foreground; its exit code is volt's. The services it depends on are brought up first.
/// </summary>
internal sealed class ComposeRunCommand : VoltCommand, ITrailingCommand
{
    private static readonly Argument<string> Service = new("SERVICE") { Description = "Service whose settings the one-off container takes" };
    private static readonly Argument<string[]> Command = new("COMMAND") { Description = "Command and arguments (default: the service's command)", Arity = ArgumentArity.ZeroOrMore };
    private static readonly Option<bool> Remove = new("--rm") { Description = "Delete the container when it exits" };
    private static readonly Option<bool> NoDeps = new("--no-deps") { Description = "Do not bring up the services it depends on" };
    private static readonly Option<string?> NameOption = new("--name") { Description = "Container name (default: STACK-SERVICE-run-XXXXXX)", HelpName = "NAME" };

    public ComposeRunCommand() : base("run", "Run a one-off command in a new container of a service; returns its exit code")
    {
        Add(Service); Add(Command); Add(Remove); Add(NoDeps); Add(NameOption);
        Examples = ["volt compose run --rm db mysqladmin --version", "volt compose run --rm --no-deps web cat /etc/hostname"];
    }

    public int PositionalsBeforeCommand => 1;

    public override string AuditAction => "compose.run";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var model = ComposeCommands.Load(ctx, parse);
        ctx.AuditResource = model.Name;
        var service = parse.GetValue(Service)!;
        if (!model.Workloads.TryGetValue(service, out var w)) throw VoltException.NotFound($"no service \"{service}\" in the stack");
        if (!Core.IO.Posix.IsRoot)
            throw new VoltException(ExitCode.Permission, "permission denied: compose run starts systemd-nspawn in the foreground and needs root");
        var stack = ComposeCommands.Resolve(ctx, model);
        var deps = new HashSet<string>(StringComparer.Ordinal);
        void AddDeps(string s) { foreach (var d in model.Workloads[s].DependsOn.Keys) if (deps.Add(d)) AddDeps(d); }
        if (!parse.GetValue(NoDeps)) AddDeps(service);
        if (deps.Count > 0)
            await ctx.Engines.Orchestrator(model.Name).UpAsync(model, stack, new UpOptions { Plan = new PlanOptions { Services = deps } },
                new ComposeCommands.ProgressLines(ctx), ct);
        else
        {
            // The stack's networks exist even when nothing else of it runs.
            var runtime = new Composition.Adapters.StackRuntime(ctx.Engines, model.Name);
            foreach (var n in stack.Networks.Where(n => !n.External)) await runtime.EnsureNetworkAsync(n, ct);
            foreach (var v in stack.Volumes.Where(v => !v.External)) runtime.EnsureVolume(v.Name);
        }
        var first = stack.Services.First(s => s.Name == service).Instances.FirstOrDefault()
            ?? throw new VoltException(ExitCode.InvalidConfig, $"service \"{service}\" has deploy.replicas: 0");
        var command = parse.GetValue(Command) is { Length: > 0 } c ? [.. w.Entrypoint ?? [], .. c] : first.Command;
        var name = parse.GetValue(NameOption) ?? $"{model.Name}-{service}-run-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";
        var spec = first with
        {
            Name = name, Command = command, Publish = [], Restart = "no", HealthCmd = null, NoHealthcheck = true,
        };
        var request = new Composition.Adapters.StackRuntime(ctx.Engines, model.Name).Request(spec);
        var engine = ctx.Engines.Containers;
        var config = engine.Plan(request);
        if (engine.Records.Exists(name)) throw VoltException.Exists($"container \"{name}\" already exists");
        var host = ctx.Engines.ContainerHost;
        await using var run = new ContainerRuntime(host, label: "cli");
        try
        {
            return await run.RunAttachedAsync(config, ConsoleMode.Pipe, host.DefaultStopTimeout, ct);
        }
        finally
        {
            if (parse.GetValue(Remove) && engine.Records.Exists(name))
            {
                try { await engine.DeleteAsync(name, CancellationToken.None); }
                catch (VoltException e) when (e.Code == ExitCode.Conflict)
                {
                    await run.StopAsync(name, TimeSpan.FromSeconds(1), CancellationToken.None);
                    await engine.DeleteAsync(name, CancellationToken.None);
                }
            }
        }
    }
}
