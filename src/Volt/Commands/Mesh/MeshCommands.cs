using System.CommandLine;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Mesh;

namespace Volt.Commands.Mesh;

internal static class MeshCommands
{
    /// <summary>The unit names of the mesh agent and the embedded etcd.</summary>
    public const string Unit = "volt-mesh";
    public const string EtcdUnit = "volt-etcd";

    public static Command Group() => new GroupCommand("mesh", "Mesh networking: hosts joined over WireGuard, membership and routes in etcd",
        new MeshInitCommand(), new MeshTokenCommand(), new MeshJoinCommand(), new MeshLeaveCommand(), new MeshStatusCommand(),
        new MeshPeersCommand(), new MeshRemoveCommand(), new MeshRotateKeyCommand(), new MeshAgentCommand())
    {
        Examples =
        [
            "sudo volt mesh init --etcd http://10.0.0.1:2379 --name prod",
            "volt mesh token --ttl 1h",
            "sudo volt mesh join --etcd http://10.0.0.1:2379 --token vmt1.prod.…",
            "volt mesh status",
            "volt mesh peers -o json",
            "sudo volt run -d --name web --network meshnet IMAGE   # reachable from every host as web.HOST.mesh",
        ],
    };

    public static readonly Option<string> HostName = new("--host-name") { Description = "This host's name in the mesh (a DNS label; default: the hostname)", HelpName = "NAME" };
    public static readonly Option<string> Interface = new("--interface") { Description = "WireGuard interface (default volt-mesh; must differ per network namespace where /var/run/wireguard is shared)", DefaultValueFactory = _ => MeshEngine.DefaultInterface, HelpName = "IFACE" };
    public static readonly Option<int> Port = new Option<int>("--port") { Description = "WireGuard UDP port", DefaultValueFactory = _ => MeshEngine.DefaultPort }.AcceptPort();
    public static readonly Option<string?> Endpoint = new("--endpoint") { Description = "Address (ADDR or ADDR:PORT) other hosts reach this one at (default: this host's address toward etcd)", HelpName = "ADDR" };
    public static readonly Option<bool> NoService = new("--no-service") { Description = "Do not install and start the volt-mesh agent service (run volt mesh agent yourself)" };

    public static HostOptions Host(ParseResult parse)
    {
        var name = parse.GetValue(HostName) ?? System.Net.Dns.GetHostName().Split('.')[0].ToLowerInvariant();
        return new HostOptions(name, parse.GetValue(Interface)!, parse.GetValue(Port), parse.GetValue(Endpoint));
    }

    /// <summary>Writes volt-mesh.service (the agent) and starts it under the supervisor, unless --no-service.</summary>
    public static async Task StartAgentAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        if (parse.GetValue(NoService)) return;
        var text = Workloads.Services.VoltUnits.Server(Unit, "Volt mesh agent: WireGuard peers from etcd",
            [Service.VoltServiceInstaller.Executable, "mesh", "agent"], ctx.Paths.IsRelocated ? ctx.Paths.Root : null);
        var services = ctx.Engines.Services;
        if (services.Store.Exists(Unit)) services.Replace(Unit, text); else services.Install(Unit, text);
        var supervisor = await ctx.Engines.ServiceSupervisorAsync(ct).ConfigureAwait(false);
        await supervisor.StartAsync(Workloads.Model.WorkloadKind.Service, Unit, ct).ConfigureAwait(false);
    }

    /// <summary>Stops the agent service if it is installed (leave, remove of this host).</summary>
    public static async Task StopAgentAsync(VoltContext ctx, CancellationToken ct)
    {
        if (!ctx.Engines.Services.Store.Exists(Unit)) return;
        try
        {
            var supervisor = await ctx.Engines.ServiceSupervisorAsync(ct).ConfigureAwait(false);
            await supervisor.StopAsync(Workloads.Model.WorkloadKind.Service, Unit, TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
        }
        catch (VoltException e) when (e.Code is ExitCode.Daemon or ExitCode.NotFound) { }
    }
}
