using System.CommandLine;
using Volt.Cli;

namespace Volt.Commands.Container;

internal sealed class ContainerListCommand : VoltCommand
{
    public ContainerListCommand() : base("list", "List containers with status, image, IP and uptime (reads state files; voltd may be down)")
    {
        Aliases.Add("ls");
        Examples = ["volt container list", "volt container ls -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var now = ctx.Time.GetUtcNow();
        ctx.Out.List([.. ctx.Engines.Containers.Summaries().Select(v => ContainerViews.Row(v, now))], ContainerViews.PsColumns);
        return Task.FromResult(0);
    }
}

internal sealed class ContainerInspectCommand : VoltCommand
{
    public ContainerInspectCommand() : base("inspect", "Show a container's configuration and state")
    {
        Add(ContainerCommands.Name);
        Examples = ["volt container inspect web", "volt container inspect web -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct) =>
        ExecuteFor(ctx, parse.GetValue(ContainerCommands.Name)!);

    /// <summary>Also <c>volt inspect</c>'s container case.</summary>
    public Task<int> ExecuteFor(VoltContext ctx, string name)
    {
        var engine = ctx.Engines.Containers;
        engine.Records.EnsureExists(name);
        ctx.Out.Object(ContainerViews.Inspect(engine.View(name)));
        return Task.FromResult(0);
    }
}
