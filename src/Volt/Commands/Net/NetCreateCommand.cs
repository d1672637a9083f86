using System.CommandLine;
using Volt.Cli;
using Volt.Core.Errors;

namespace Volt.Commands.Net;

internal sealed class NetCreateCommand : VoltCommand
{
    private static readonly Argument<string?> NameArg = new("name") { Description = "Network name (same as --name)", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<string?> NameOpt = new("--name") { Description = "Network name: 1-10 of a-z, 0-9, '-' (the bridge is volt-<name>)", HelpName = "NAME" };
    private static readonly Option<string?> Subnet = new("--subnet") { Description = "IPv4 subnet; the bridge gets its first host address", HelpName = "CIDR" };

    public NetCreateCommand() : base("create", "Create a network: bridge volt-<name> with the subnet's first address, and outbound NAT")
    {
        Add(NameArg); Add(NameOpt); Add(Subnet);
        Examples = ["volt net create --name backend --subnet 10.30.0.0/24", "volt net create dbnet --subnet 10.100.0.0/24", "volt net create --name dmz --subnet 172.16.0.0/24 -o json"];
    }

    public override string AuditAction => "net.create";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var (arg, opt) = (parse.GetValue(NameArg), parse.GetValue(NameOpt));
        if (arg is not null && opt is not null && arg != opt) throw VoltException.Usage($"two different names given: \"{arg}\" and --name \"{opt}\"");
        var name = opt ?? arg ?? throw VoltException.Usage("a network name is required: volt net create --name NAME --subnet CIDR");
        ctx.AuditResource = name;
        var subnet = parse.GetValue(Subnet) ?? throw VoltException.Usage("--subnet is required (for example --subnet 10.30.0.0/24)");
        var net = await ctx.Engines.Networks.CreateAsync(name, subnet, ct);
        ctx.Out.Line($"Created network \"{net.Name}\": bridge {net.Bridge}, {net.Subnet}, gateway {net.Gateway}.");
        if (ctx.Out.Format != Rendering.OutputFormat.Table) ctx.Out.Data(NetCommands.Row(net, 0));
        return 0;
    }
}
