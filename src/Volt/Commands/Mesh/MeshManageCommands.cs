using System.CommandLine;
using Microsoft.Extensions.Logging;
using Volt.Cli;

namespace Volt.Commands.Mesh;

internal sealed class MeshLeaveCommand : VoltCommand
{
    public MeshLeaveCommand() : base("leave", "Leave the mesh: this host's record and workloads go from etcd; the interface, local keys and the meshnet network go")
    {
        Examples = ["sudo volt mesh leave"];
    }

    public override string AuditAction => "mesh.leave";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        ctx.Engines.Mesh.RequireState();
        await MeshCommands.StopAgentAsync(ctx, ct).ConfigureAwait(false);
        var (s, etcdError, networkNote) = await ctx.Engines.Mesh.LeaveAsync(ct).ConfigureAwait(false);
        ctx.AuditResource = s.Mesh;
        if (etcdError is not null) ctx.Out.Warn($"{etcdError}; the record expires with its lease within {s.LeaseTtl} s");
        if (networkNote is not null) ctx.Out.Warn(networkNote);
        ctx.Out.Line($"Left mesh \"{s.Mesh}\" ({s.Host})");
        return 0;
    }
}

internal sealed class MeshRemoveCommand : VoltCommand
{
    private static readonly Argument<string> HostArg = new("HOST") { Description = "The host to remove (its name in volt mesh peers)" };

    public MeshRemoveCommand() : base("remove", "Remove another host from the mesh: its record and workloads go; its agent sees it and leaves")
    {
        Add(HostArg);
        Examples = ["volt mesh remove web2"];
    }

    public override string AuditAction => "mesh.remove";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var host = parse.GetValue(HostArg)!;
        ctx.AuditResource = host;
        var rec = await ctx.Engines.Mesh.RemoveAsync(host, ct).ConfigureAwait(false);
        ctx.Out.Line($"Removed {rec.Name} ({rec.MeshIp})");
        return 0;
    }
}

internal sealed class MeshRotateKeyCommand : VoltCommand
{
    public MeshRotateKeyCommand() : base("rotate-key", "Make a new WireGuard key pair for this host and publish it (peers re-handshake; traffic pauses about one handshake)")
    {
        Examples = ["sudo volt mesh rotate-key"];
    }

    public override string AuditAction => "mesh.rotate-key";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var pub = await ctx.Engines.Mesh.RotateKeyAsync(ct).ConfigureAwait(false);
        ctx.Out.Line($"New public key {pub}");
        return 0;
    }
}

internal sealed class MeshAgentCommand : VoltCommand, IServerCommand
{
    public MeshAgentCommand() : base("agent", "Run the mesh agent in the foreground (the volt-mesh service runs this): lease, watch, peers")
    {
        Examples = ["volt mesh agent", "volt service start volt-mesh   # the same, supervised"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            o.UseUtcTimestamp = true;
        }));
        return await ctx.Engines.WithLogging(logging).MeshAgent().RunAsync(ct).ConfigureAwait(false);
    }
}
