using System.CommandLine;
using Volt.Cli;
using Volt.Core.Errors;

namespace Volt.Commands.Net;

internal sealed class NetCreateCommand : VoltCommand
{
    private static readonly Argument<string?> NameArg = new("name") { Description = "Network name (same as --name)", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<string?> NameOpt = new("--name") { Description = "Network name: 1-10 of a-z, 0-9, '-' (the bridge is volt-<name>)", HelpName = "NAME" };
    private static readonly Option<string?> Subnet = new("--subnet") { Description = "IPv4 subnet; the bridge gets its first host address", HelpName = "CIDR" };
    private static readonly Option<string?> Gateway = new("--gateway") { Description = "The bridge's address (default: the subnet's first host)", HelpName = "IP" };
    private static readonly Option<bool> Internal = new("--internal") { Description = "No NAT and no route out: workloads reach each other and the DNS on the gateway only" };
    private static readonly Option<bool> Ipv6 = new("--ipv6") { Description = "Also IPv6 (a unique-local /64 unless --subnet6 names one; addresses without DAD)" };
    private static readonly Option<string?> Subnet6 = new("--subnet6") { Description = "IPv6 subnet, /48 to /120 (implies --ipv6)", HelpName = "CIDR" };
    private static readonly Option<int?> Mtu = new("--mtu") { Description = "MTU of the bridge and veths (default: the host's default-route MTU)", HelpName = "BYTES" };

    public NetCreateCommand() : base("create", "Create a network: bridge volt-<name> with the subnet's first address, and outbound NAT")
    {
        Add(NameArg); Add(NameOpt); Add(Subnet); Add(Gateway); Add(Internal); Add(Ipv6); Add(Subnet6); Add(Mtu);
        Examples = ["volt net create db --subnet 10.40.0.0/24 --internal", "volt net create v6 --subnet 10.41.0.0/24 --ipv6 --subnet6 fd00:41::/64 --mtu 1400","volt net create --name backend --subnet 10.30.0.0/24", "volt net create dbnet --subnet 10.100.0.0/24", "volt net create --name dmz --subnet 172.16.0.0/24 -o json"];
    }

    public override string AuditAction => "net.create";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var (arg, opt) = (parse.GetValue(NameArg), parse.GetValue(NameOpt));
        if (arg is not null && opt is not null && arg != opt) throw VoltException.Usage($"two different names given: \"{arg}\" and --name \"{opt}\"");
        var name = opt ?? arg ?? throw VoltException.Usage("a network name is required: volt net create --name NAME --subnet CIDR");
        ctx.AuditResource = name;
        var subnet = parse.GetValue(Subnet) ?? throw VoltException.Usage("--subnet is required (for example --subnet 10.30.0.0/24)");
        var net = await ctx.Engines.Networks.CreateAsync(name, subnet, new global::Volt.Network.NetworkCreateOptions
        {
            Gateway = parse.GetValue(Gateway), Internal = parse.GetValue(Internal), Ipv6 = parse.GetValue(Ipv6),
            Subnet6 = parse.GetValue(Subnet6), Mtu = parse.GetValue(Mtu),
        }, ct);
        ctx.Out.Line($"Created network \"{net.Name}\": bridge {net.Bridge}, {net.Subnet}{(net.Subnet6 is null ? "" : ", " + net.Subnet6)}, gateway {net.Gateway}{(net.Internal ? ", internal" : "")}, MTU {net.Mtu}.");
        if (ctx.Out.Format != Rendering.OutputFormat.Table) ctx.Out.Data(NetCommands.Row(net, 0));
        return 0;
    }
}
