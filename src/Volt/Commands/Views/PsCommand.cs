using System.CommandLine;
using Volt.Cli;
using Volt.Commands.Container;
using Volt.Commands.Service;

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
        // Every kind, read from state files: containers, then services, then tasks (one row shape, TYPE tells them apart).
        var services = ctx.Engines.ServiceStore;
        ctx.Out.List([.. ctx.Engines.Containers.Summaries().Select(v => ContainerViews.Row(v, now)),
            .. ctx.Engines.ServiceDriver.List().Select(w => Service.ServiceViews.Row(w, services, now)),
            .. ctx.Engines.TaskDriver.List().Select(w => Tasks.TaskViews.PsRow(w, now)),
            .. ctx.Engines.VmDriver.List().Select(w => Vm.VmCommands.Row(w, ctx.Engines.VmStore, now))],
            ContainerViews.PsColumns);
        return Task.FromResult(0);
    }
}
