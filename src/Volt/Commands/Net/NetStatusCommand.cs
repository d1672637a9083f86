using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Network.Host;

namespace Volt.Commands.Net;

internal sealed class NetStatusCommand : VoltCommand
{
    public NetStatusCommand() : base("status", "Show bridges, the nftables table, IP forwarding and address allocations")
    {
        Examples = ["volt net status", "volt net status -o json"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var net = ctx.Engines.Networks;
        var s = await net.StatusAsync(ct);
        var attachments = net.Store.Attachments().ToDictionary(a => a.Container);
        ctx.Out.Object(new JsonObject
        {
            ["networks"] = net.List().Count,
            ["nft_table"] = s.NftTablePresent ? $"{NftDriver.Family} {NftDriver.Table}" : "absent",
            ["nft_rules"] = s.NftRules,
            ["ip_forward"] = s.IpForward,
            ["bridges"] = new JsonArray([.. s.Bridges.Select(b => (JsonNode)new JsonObject
            {
                ["name"] = b.Name, ["network"] = b.Network, ["state"] = b.State,
                ["address"] = string.Join(",", b.Addresses), ["ports"] = b.Ports.Count,
            })]),
            ["allocations"] = new JsonArray([.. s.Allocations.Select(a => (JsonNode)new JsonObject
            {
                ["network"] = a.Network, ["container"] = a.Owner, ["address"] = a.Address,
                ["veth"] = attachments.TryGetValue(a.Owner, out var at) && at.Network == a.Network ? at.HostVeth : "-",
                ["ports"] = attachments.TryGetValue(a.Owner, out var at2) && at2.Network == a.Network && at2.Ports.Count > 0
                    ? string.Join(",", at2.Ports) : "-",
            })]),
        });
        return 0;
    }
}
