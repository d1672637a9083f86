using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;

namespace Volt.Commands.Net;

internal sealed class NetDeleteCommand : VoltCommand
{
    private static readonly Argument<string> NetworkName = new("name") { Description = "Network to delete" };

    public NetDeleteCommand() : base("delete", "Delete a network: its NAT rules, bridge and address pool (refused while containers are attached)")
    {
        Aliases.Add("rm");
        Add(NetworkName);
        Examples = ["volt net delete backend"];
    }

    public override string AuditAction => "net.delete";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(NetworkName)!;
        await ctx.Engines.Networks.DeleteAsync(name, ct);
        ctx.Out.Line($"Deleted network \"{name}\".");
        if (ctx.Out.Format != Rendering.OutputFormat.Table) ctx.Out.Data(new JsonObject { ["deleted"] = name });
        return 0;
    }
}
