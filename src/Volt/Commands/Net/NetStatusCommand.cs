using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Network.Host;
using Volt.Rendering;

namespace Volt.Commands.Net;

internal sealed class NetStatusCommand : VoltCommand
{
    public NetStatusCommand() : base("status", "Per network: bridge, subnet, gateway, DNS listener, workloads with IPs, NAT, rule count")
    {
        Examples = ["volt net status", "volt net status -o json"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var net = ctx.Engines.Networks;
        await net.RecoverAsync(ct);
        var s = await net.StatusAsync(ct);
        var networks = await net.NetworkStatusAsync(ct);
        var rows = networks.Select(n => new JsonObject
        {
            ["name"] = n.Name, ["bridge"] = n.Bridge, ["state"] = n.BridgeState, ["subnet"] = n.Subnet,
            ["subnet6"] = n.Subnet6, ["gateway"] = n.Gateway, ["dns"] = n.DnsListener,
            ["nat"] = n.Nat ? "on" : "off", ["internal"] = n.Internal, ["mtu"] = n.Mtu, ["rules"] = n.Rules,
            ["workloads"] = new JsonArray([.. n.Workloads.Select(w => (JsonNode)new JsonObject
            {
                ["name"] = w.Name, ["kind"] = w.Kind, ["address"] = w.Address, ["address6"] = w.Address6,
                ["interface"] = w.Interface, ["aliases"] = new JsonArray([.. w.Aliases.Select(a => (JsonNode)a)]),
            })]),
        }).ToList();
        if (ctx.Out.Format != OutputFormat.Table)
        {
            ctx.Out.Data(new JsonObject
            {
                ["nft_table"] = s.NftTablePresent ? $"{NftDriver.Family} {NftDriver.Table}" : "absent",
                ["nft_rules"] = s.NftRules,
                ["ip_forward"] = s.IpForward,
                ["networks"] = new JsonArray([.. rows]),
            });
            return 0;
        }
        ctx.Out.Line($"table {(s.NftTablePresent ? $"{NftDriver.Family} {NftDriver.Table}: {s.NftRules} rules" : "inet volt: absent")}; ip_forward {(s.IpForward is true ? "on" : "off")}");
        foreach (var n in networks)
        {
            ctx.Out.Line("");
            ctx.Out.Line($"{n.Name}: bridge {n.Bridge} ({n.BridgeState}), {n.Subnet}{(n.Subnet6 is null ? "" : ", " + n.Subnet6)}, gateway {n.Gateway}, " +
                         $"DNS {n.DnsListener}, NAT {(n.Nat ? "on" : "off")}{(n.Internal ? ", internal" : "")}, MTU {n.Mtu}, {n.Rules} rules");
            if (n.Workloads.Count == 0) { ctx.Out.Line("  (no workloads)"); continue; }
            ctx.Out.List([.. n.Workloads.Select(w => new JsonObject
            {
                ["name"] = w.Name, ["kind"] = w.Kind, ["interface"] = w.Interface ?? "eth0", ["address"] = w.Address,
                ["address6"] = w.Address6 ?? "-", ["aliases"] = w.Aliases.Count == 0 ? "-" : string.Join(",", w.Aliases),
            })],
            [
                new Column("WORKLOAD", "name"), new Column("KIND", "kind"), new Column("IF", "interface"),
                new Column("ADDRESS", "address"), new Column("ADDRESS6", "address6"), new Column("ALIASES", "aliases"),
            ]);
        }
        return 0;
    }
}
