using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Rendering;

namespace Volt.Commands.Dns;

internal sealed class DnsLookupCommand : VoltCommand
{
    private static readonly Argument<string> NameArg = new("NAME") { Description = "A workload name, an alias, NAME.NETWORK.volt, an address (with --type PTR) or any other name (forwarded)" };
    private static readonly Option<string?> From = new("--from") { Description = "Ask as this workload (only names on its networks resolve); default: the host, which sees every network", HelpName = "WORKLOAD" };
    private static readonly Option<string> Type = new("--type", "-t") { Description = "Record type: A, AAAA, PTR or ANY", DefaultValueFactory = _ => "A", HelpName = "TYPE" };

    public DnsLookupCommand() : base("lookup", "Resolve a name as volt-dns answers it (exit 3 when it does not exist for the asker)")
    {
        Add(NameArg); Add(From); Add(Type);
        Examples =
        [
            "volt dns lookup db",
            "volt dns lookup db --from api          # only if api and db share a network",
            "volt dns lookup db.backend.volt --from api",
            "volt dns lookup 10.0.0.2 --type PTR",
            "volt dns lookup debian.org -o json     # forwarded to the host's resolvers",
        ];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var r = await ctx.Engines.Dns.LookupAsync(parse.GetValue(NameArg)!, parse.GetValue(From), parse.GetValue(Type)!, ct).ConfigureAwait(false);
        if (ctx.Out.Format != OutputFormat.Table)
        {
            ctx.Out.Data(new JsonObject
            {
                ["name"] = r.Name, ["type"] = r.Type, ["status"] = r.Status, ["source"] = r.Source, ["from"] = r.From,
                ["answers"] = new JsonArray([.. r.Answers.Select(a => (JsonNode)new JsonObject { ["name"] = a.Name, ["type"] = a.Type, ["data"] = a.Data, ["ttl"] = a.Ttl })]),
            });
        }
        else if (r.Answers.Count > 0)
        {
            ctx.Out.List([.. r.Answers.Select(a => new JsonObject { ["name"] = a.Name, ["type"] = a.Type, ["data"] = a.Data, ["ttl"] = a.Ttl })],
                [new Column("NAME", "name"), new Column("TYPE", "type"), new Column("ADDRESS", "data"), new Column("TTL", "ttl", RightAlign: true)]);
        }
        var asker = r.From is null ? "the host" : $"\"{r.From}\"";
        return r.Status switch
        {
            "NOERROR" when r.Answers.Count > 0 => 0,
            "NOERROR" => throw VoltException.NotFound($"\"{r.Name}\" has no {r.Type} record for {asker} ({r.Source})"),
            "NXDOMAIN" => throw VoltException.NotFound($"\"{r.Name}\" does not exist for {asker} ({r.Source})"),
            _ => throw new VoltException(ExitCode.Network, $"\"{r.Name}\": {r.Status} ({r.Source})"),
        };
    }
}
