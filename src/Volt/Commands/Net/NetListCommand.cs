using System.CommandLine;
using Volt.Cli;
using Volt.Rendering;

namespace Volt.Commands.Net;

internal sealed class NetListCommand : VoltCommand
{
    public NetListCommand() : base("list", "List networks with their bridge, subnet, gateway and attached containers")
    {
        Aliases.Add("ls");
        Examples = ["volt net list", "volt net list -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var net = ctx.Engines.Networks;
        var attached = net.Store.Attachments().GroupBy(a => a.Network).ToDictionary(g => g.Key, g => g.Count());
        var rows = net.List().Select(n => NetCommands.Row(n, attached.GetValueOrDefault(n.Name))).ToList();
        ctx.Out.List(rows,
        [
            new Column("NAME", "name"), new Column("BRIDGE", "bridge"), new Column("SUBNET", "subnet"),
            new Column("GATEWAY", "gateway"), new Column("CONTAINERS", "containers", RightAlign: true),
        ]);
        return Task.FromResult(0);
    }
}
