using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Mesh;
using Volt.Mesh.Etcd;

namespace Volt.Commands.Mesh;

internal sealed class MeshInitCommand : VoltCommand
{
    private static readonly Option<string?> Etcd = new("--etcd") { Description = "etcd endpoint(s), comma-separated: http://HOST:PORT[,…]", HelpName = "URL" };
    private static readonly Option<bool> Embedded = new("--etcd-embedded") { Description = "Run a local etcd-server as the volt-etcd service and use it (a one-host start)" };
    private static readonly Option<string> EtcdListen = new("--etcd-listen") { Description = "With --etcd-embedded: the address etcd listens on (other hosts join through it)", DefaultValueFactory = _ => "127.0.0.1", HelpName = "ADDR" };
    private static readonly Option<string> Cidr = new("--cidr") { Description = "The mesh's IPv4 space: host addresses in its first /16, one /24 workload subnet per host", DefaultValueFactory = _ => MeshLayout.DefaultCidr, HelpName = "CIDR" };
    private static readonly Option<string> MeshName = new("--name") { Description = "Mesh name (several meshes can share one etcd)", DefaultValueFactory = _ => MeshLayout.DefaultName, HelpName = "MESH" };
    private static readonly Option<int> LeaseTtl = new Option<int>("--lease-ttl") { Description = "Seconds a host's record outlives its agent (peers drop a dead host after this)", DefaultValueFactory = _ => MeshEngine.DefaultLeaseTtl }.AcceptInt(2, 3600);

    public MeshInitCommand() : base("init", "Create a mesh in etcd and make this host its first member")
    {
        Add(Etcd); Add(Embedded); Add(EtcdListen); Add(Cidr); Add(MeshName); Add(LeaseTtl);
        Add(MeshCommands.HostName); Add(MeshCommands.Interface); Add(MeshCommands.Port); Add(MeshCommands.Endpoint); Add(MeshCommands.NoService);
        Examples =
        [
            "sudo volt mesh init --etcd http://10.0.0.1:2379 --name prod",
            "sudo volt mesh init --etcd http://10.0.0.1:2379,http://10.0.0.2:2379 --cidr 100.96.0.0/12",
            "sudo volt mesh init --etcd-embedded --etcd-listen 10.0.0.1",
        ];
    }

    public override string AuditAction => "mesh.init";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var etcd = EtcdClient.SplitEndpoints(parse.GetValue(Etcd));
        var host = MeshCommands.Host(parse);
        var embedded = parse.GetValue(Embedded);
        if (embedded == (etcd.Count > 0)) throw VoltException.Usage("give exactly one of --etcd URL[,URL…] or --etcd-embedded");
        foreach (var e in etcd) EtcdClient.ParseEndpoint(e);
        MeshLayout.ValidateName(parse.GetValue(MeshName)!, "--name");
        MeshLayout.ParseCidr(parse.GetValue(Cidr)!);
        if (embedded) etcd = [await EmbeddedEtcd.StartAsync(ctx, parse.GetValue(EtcdListen)!, ct).ConfigureAwait(false)];
        var state = await ctx.Engines.Mesh.InitAsync(etcd, parse.GetValue(MeshName)!, parse.GetValue(Cidr)!, parse.GetValue(LeaseTtl), host, ct).ConfigureAwait(false);
        ctx.AuditResource = state.Mesh;
        await MeshCommands.StartAgentAsync(ctx, parse, ct).ConfigureAwait(false);
        MeshJoinCommand.Print(ctx, state, "Created mesh");
        return 0;
    }
}

internal sealed class MeshTokenCommand : VoltCommand
{
    private static readonly Option<string> Ttl = new("--ttl") { Description = "How long the token admits a host (10s to 7d)", DefaultValueFactory = _ => "1h", HelpName = "DURATION" };

    public MeshTokenCommand() : base("token", "Print a join token: a secret that admits one host to this mesh until it expires")
    {
        Add(Ttl);
        Examples = ["volt mesh token", "volt mesh token --ttl 15m", "volt mesh join --etcd http://10.0.0.1:2379 --token \"$(ssh first volt mesh token)\""];
    }

    public override string AuditAction => "mesh.token";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var ttl = Core.Config.DurationParser.Parse(parse.GetValue(Ttl)!, "--ttl");
        var token = await ctx.Engines.Mesh.CreateTokenAsync(ttl, ct).ConfigureAwait(false);
        ctx.AuditResource = token.Mesh + "/" + token.Id;
        if (ctx.Out.Format != Rendering.OutputFormat.Table)
            ctx.Out.Data(new JsonObject { ["token"] = token.ToString(), ["mesh"] = token.Mesh, ["id"] = token.Id, ["expires"] = token.Expires.ToString("O") });
        else ctx.Out.Line(token.ToString());
        return 0;
    }
}

internal sealed class MeshJoinCommand : VoltCommand
{
    private static readonly Option<string> Etcd = new("--etcd") { Description = "etcd endpoint(s), comma-separated: http://HOST:PORT[,…]", Required = true, HelpName = "URL" };
    private static readonly Option<string> Token = new("--token") { Description = "A join token from volt mesh token on a member", Required = true, HelpName = "TOKEN" };

    public MeshJoinCommand() : base("join", "Join a mesh with a token: publish this host's key, endpoint and subnet, configure its peers")
    {
        Add(Etcd); Add(Token);
        Add(MeshCommands.HostName); Add(MeshCommands.Interface); Add(MeshCommands.Port); Add(MeshCommands.Endpoint); Add(MeshCommands.NoService);
        Examples =
        [
            "sudo volt mesh join --etcd http://10.0.0.1:2379 --token vmt1.prod.…",
            "sudo volt mesh join --etcd http://10.0.0.1:2379 --token T --host-name web2 --endpoint 203.0.113.7",
        ];
    }

    public override string AuditAction => "mesh.join";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var etcd = EtcdClient.SplitEndpoints(parse.GetValue(Etcd));
        foreach (var e in etcd) EtcdClient.ParseEndpoint(e);
        if (etcd.Count == 0) throw VoltException.Usage("--etcd needs at least one URL");
        var token = parse.GetValue(Token)!;
        JoinToken.Parse(token);
        var state = await ctx.Engines.Mesh.JoinAsync(etcd, token, MeshCommands.Host(parse), ct).ConfigureAwait(false);
        ctx.AuditResource = state.Mesh;
        await MeshCommands.StartAgentAsync(ctx, parse, ct).ConfigureAwait(false);
        Print(ctx, state, "Joined mesh");
        return 0;
    }

    public static void Print(VoltContext ctx, MeshState s, string verb)
    {
        if (ctx.Out.Format != Rendering.OutputFormat.Table)
        {
            ctx.Out.Data(new JsonObject
            {
                ["mesh"] = s.Mesh, ["host"] = s.Host, ["meshIp"] = s.MeshIp, ["subnet"] = s.Subnet,
                ["endpoint"] = s.Endpoint, ["interface"] = s.Interface,
            });
            return;
        }
        ctx.Out.Line($"{verb} \"{s.Mesh}\" as {s.Host}: {s.MeshIp} on {s.Interface}, workload subnet {s.Subnet}, endpoint {s.Endpoint}");
    }
}
