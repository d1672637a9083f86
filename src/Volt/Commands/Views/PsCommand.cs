using System.CommandLine;
using Volt.Cli;
using Volt.Commands.Container;

namespace Volt.Commands.Views;

internal sealed class PsCommand : VoltCommand
{
    public PsCommand() : base("ps", "List every workload: NAME TYPE STATUS IMAGE IP UPTIME (works while voltd is down)")
    {
        Examples = ["volt ps", "volt ps -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var now = ctx.Time.GetUtcNow();
        ctx.Out.List([.. ctx.Engines.Containers.List().Select(v => ContainerViews.Row(v, now))], ContainerViews.PsColumns);
        return Task.FromResult(0);
    }
}
