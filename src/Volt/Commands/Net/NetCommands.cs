using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Network.State;

namespace Volt.Commands.Net;

internal static class NetCommands
{
    public static Command Group() => new GroupCommand("net", "Networks: bridges, addresses, NAT and published ports",
        new NetCreateCommand(), new NetListCommand(), new NetDeleteCommand(), new NetStatusCommand(),
        new NetConnectCommand(), new NetDisconnectCommand(),
        new GroupCommand("bridge", "Linux bridges of Volt networks", new NetBridgeListCommand())
        {
            Examples = ["volt net bridge list"],
        })
    {
        Examples = ["volt net create --name backend --subnet 10.30.0.0/24", "volt net list", "volt net status", "volt net connect backend web", "volt net disconnect backend web", "volt net delete backend"],
    };

    public static JsonObject Row(NetworkRecord n, int containers) => new()
    {
        ["name"] = n.Name, ["bridge"] = n.Bridge, ["subnet"] = n.Subnet, ["gateway"] = n.Gateway, ["containers"] = containers,
        ["internal"] = n.Internal, ["subnet6"] = n.Subnet6, ["mtu"] = n.Mtu, ["search_domain"] = n.SearchDomain,
        ["created"] = n.Created.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
    };
}
