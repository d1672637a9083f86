using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Rendering;

namespace Volt.Commands.Net;

internal sealed class NetBridgeListCommand : VoltCommand
{
    public NetBridgeListCommand() : base("list", "List the bridges of Volt networks as the kernel reports them (ip -j addr)")
    {
        Aliases.Add("ls");
        Examples = ["volt net bridge list", "volt net bridge list -o yaml"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var rows = (await ctx.Engines.Networks.BridgesAsync(ct)).Select(ToRow).ToList();
        ctx.Out.List(rows,
        [
            new Column("NAME", "name"), new Column("STATE", "state"),
            new Column("ADDRESS", "addresses", n => n is JsonArray { Count: > 0 } a ? string.Join(",", a.Select(x => (string?)x)) : "-"),
            new Column("PORTS", "ports", n => n is JsonArray { Count: > 0 } a ? string.Join(",", a.Select(x => (string?)x)) : "-"),
        ]);
        return 0;
    }

    internal static JsonObject ToRow(Network.BridgeStatus b) => new()
    {
        ["name"] = b.Name, ["network"] = b.Network, ["state"] = b.State,
        ["addresses"] = new JsonArray([.. b.Addresses.Select(a => (JsonNode)a)]),
        ["ports"] = new JsonArray([.. b.Ports.Select(p => (JsonNode)p)]),
    };
}
