using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Network.Firewall;
using Volt.Rendering;

namespace Volt.Commands.Firewall;

internal static class FirewallCommands
{
    public static Command Group() => new GroupCommand("firewall", "Volt's nftables firewall (table inet volt): named rules between workloads, networks, CIDRs and the host",
        new FirewallListCommand(), new FirewallAddCommand(), new FirewallDeleteCommand(), new FirewallReloadCommand())
    {
        Examples =
        [
            "volt firewall add --from web --to db --port 5432/tcp --action allow --name web-db",
            "volt firewall add --from any --to web --port 80 --action allow",
            "volt firewall list", "volt firewall delete web-db", "volt firewall reload",
        ],
    };

    public static JsonObject Row(FirewallRule r) => new()
    {
        ["name"] = r.Name, ["from"] = r.From, ["to"] = r.To, ["port"] = r.PortText, ["action"] = r.Action,
        ["chain"] = RulesetRenderer.Chain(r), ["pending"] = r.Pending,
    };
}

internal sealed class FirewallListCommand : VoltCommand
{
    public FirewallListCommand() : base("list", "List the named rules in the order they match (first match wins)")
    {
        Aliases.Add("ls");
        Examples = ["volt firewall list", "volt firewall list -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        ctx.Out.List([.. ctx.Engines.Networks.Firewall.Rules().Select(FirewallCommands.Row)],
        [
            new Column("NAME", "name"), new Column("FROM", "from"), new Column("TO", "to"), new Column("PORT", "port"),
            new Column("ACTION", "action"), new Column("CHAIN", "chain"),
        ]);
        return Task.FromResult(0);
    }
}

internal sealed class FirewallAddCommand : VoltCommand
{
    private static readonly Option<string> From = new("--from") { Description = "Source: a workload, a network, a CIDR, 'host' or 'any'", HelpName = "SRC", Required = true };
    private static readonly Option<string> To = new("--to") { Description = "Destination: a workload, a network, a CIDR, 'host' or 'any'", HelpName = "DST", Required = true };
    private static readonly Option<string?> Port = new("--port") { Description = "Destination port, optionally /tcp or /udp (default: both)", HelpName = "N[/tcp|udp]" };
    private static readonly Option<string> ActionOpt = new("--action") { Description = "allow (accept) or deny (drop)", HelpName = "allow|deny", Required = true };
    private static readonly Option<string?> NameOpt = new("--name") { Description = "Rule name (default rule-N)", HelpName = "NAME" };
    private static readonly Option<bool> Pending = new("--pending") { Description = "Accept a workload that does not exist yet (its addresses join when it attaches)" };

    public FirewallAddCommand() : base("add", "Add a named rule and rebuild the table (one nft transaction)")
    {
        Add(From); Add(To); Add(Port); Add(ActionOpt); Add(NameOpt); Add(Pending);
        Examples =
        [
            "volt firewall add --from web --to db --port 5432/tcp --action allow --name web-db",
            "volt firewall add --from backend --to any --action deny --name no-egress",
            "volt firewall add --from 192.168.1.0/24 --to host --port 22 --action allow",
            "volt firewall add --from api --to cache --port 6379 --action allow --pending",
        ];
    }

    public override string AuditAction => "firewall.add";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        // The container store only (not the container host: it needs cgroups, which a rule does not).
        var containers = new Volt.Workloads.Containers.ContainerStore(ctx.Engines.Paths);
        var rule = await ctx.Engines.Networks.AddRuleAsync(parse.GetValue(NameOpt), parse.GetValue(From)!, parse.GetValue(To)!,
            parse.GetValue(Port), parse.GetValue(ActionOpt)!, parse.GetValue(Pending), w => containers.Exists(w) || ctx.Engines.Networks.IsRemoteWorkload(w), ct);
        ctx.AuditResource = rule.Name;
        ctx.Out.Line($"Added rule \"{rule.Name}\": {rule.From} -> {rule.To} port {rule.PortText} {rule.Action}{(rule.Pending ? " (pending: no such workload yet)" : "")}.");
        if (ctx.Out.Format != OutputFormat.Table) ctx.Out.Data(FirewallCommands.Row(rule));
        return 0;
    }
}

internal sealed class FirewallDeleteCommand : VoltCommand
{
    private static readonly Argument<string> RuleName = new("name") { Description = "Rule name" };

    public FirewallDeleteCommand() : base("delete", "Delete a named rule and rebuild the table")
    {
        Aliases.Add("rm");
        Add(RuleName);
        Examples = ["volt firewall delete web-db"];
    }

    public override string AuditAction => "firewall.delete";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(RuleName)!;
        ctx.AuditResource = name;
        await ctx.Engines.Networks.DeleteRuleAsync(name, ct);
        ctx.Out.Line($"Deleted rule \"{name}\".");
        return 0;
    }
}

internal sealed class FirewallReloadCommand : VoltCommand
{
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Print the nft script instead of applying it" };

    public FirewallReloadCommand() : base("reload", "Rebuild the whole table inet volt from Volt's records in one nft transaction (also after 'nft flush ruleset')")
    {
        Add(DryRun);
        Examples = ["volt firewall reload", "volt firewall reload --dry-run"];
    }

    public override string AuditAction => "firewall.reload";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        if (parse.GetValue(DryRun))
        {
            ctx.Out.Line((await ctx.Engines.Networks.RenderAsync(ct)).TrimEnd());
            return 0;
        }
        var rules = await ctx.Engines.Networks.ReloadAsync(ct);
        ctx.Out.Line($"Reloaded table inet volt: {rules} rules.");
        return 0;
    }
}
