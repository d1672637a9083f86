using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Rendering;

namespace Volt.Commands.Dns;

internal sealed class DnsListCommand : VoltCommand
{
    public DnsListCommand() : base("list", "List the names volt-dns answers: workloads and aliases, per network")
    {
        Aliases.Add("ls");
        Examples = ["volt dns list", "volt dns list -o json", "volt dns list -o yaml"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var rows = ctx.Engines.Dns.List().Select(r => new JsonObject
        {
            ["name"] = r.Name, ["type"] = r.Type, ["address"] = r.Address, ["network"] = r.Network,
            ["workload"] = r.Workload, ["kind"] = r.Kind, ["alias"] = r.Alias,
        }).ToList();
        ctx.Out.List(rows, [new Column("NAME", "name"), new Column("TYPE", "type"), new Column("ADDRESS", "address"), new Column("NETWORK", "network")]);
        return Task.FromResult(0);
    }
}
