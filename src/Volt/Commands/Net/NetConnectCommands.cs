using System.CommandLine;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Network.Host;
using Volt.Workloads.Containers;

namespace Volt.Commands.Net;

/// <summary>The running container's PID 1 (whose network namespace gets the new veth); exit 3 unknown, 9 not running.</summary>
internal static class RunningWorkload
{
    public static async Task<int> PidAsync(VoltContext ctx, string name, CancellationToken ct)
    {
        var store = ctx.Engines.ContainerHost.Store;
        if (!store.Exists(name)) throw VoltException.NotFound($"container \"{name}\" not found");
        var config = store.TryConfig(name);
        // Stop and delete release networks only of containers created with one (no nft call for the others).
        if (config is { Network: null, Publish.Count: 0 })
            throw VoltException.Conflict($"container \"{name}\" was created with --network none; recreate it with --network NAME to connect it to more");
        if (config?.Userns == UserNamespace.Private)
            throw VoltException.Conflict($"container \"{name}\" runs in a private user namespace: a veth cannot be moved into it");
        return await ctx.Engines.Containers.WaitInitPidAsync(name, TimeSpan.FromSeconds(5), ct)
            ?? throw VoltException.Conflict($"container \"{name}\" is not running");
    }
}

internal sealed class NetConnectCommand : VoltCommand
{
    private static readonly Argument<string> Network = new("network") { Description = "Network to join" };
    private static readonly Argument<string> Workload = new("workload") { Description = "Running container" };
    private static readonly Option<string[]> Alias = new("--alias") { Description = "Extra DNS name on this network (repeatable)", HelpName = "NAME" };
    private static readonly Option<string?> Netns = new("--netns") { Description = "Attach a named network namespace (ip netns add) under the workload's name instead of a container (tools, tests)", HelpName = "NAME" };

    public NetConnectCommand() : base("connect", "Connect a running container to one more network (a new ethN appears inside)")
    {
        Add(Network); Add(Workload); Add(Alias); Add(Netns);
        Examples = ["volt net connect backend web", "volt net connect backend web --alias api"];
    }

    public override string AuditAction => "net.connect";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var (net, name) = (parse.GetValue(Network)!, parse.GetValue(Workload)!);
        ctx.AuditResource = $"{name}@{net}";
        NetnsTarget target = parse.GetValue(Netns) is { } ns ? new NetnsTarget.Named(ns) : new NetnsTarget.Pid(await RunningWorkload.PidAsync(ctx, name, ct));
        var a = await ctx.Engines.Networks.AttachAsync(name, net, target, [], parse.GetValue(Alias) ?? [], ct);
        ctx.Out.Line($"Connected \"{name}\" to network \"{a.Network}\": {a.Interface} {a.Address}/{a.PrefixLength}{(a.Address6 is null ? "" : ", " + a.Address6)}.");
        return 0;
    }
}

internal sealed class NetDisconnectCommand : VoltCommand
{
    private static readonly Argument<string> Network = new("network") { Description = "Network to leave" };
    private static readonly Argument<string> Workload = new("workload") { Description = "Container" };

    public NetDisconnectCommand() : base("disconnect", "Disconnect a container from one network (its interface there goes away)")
    {
        Add(Network); Add(Workload);
        Examples = ["volt net disconnect backend web"];
    }

    public override string AuditAction => "net.disconnect";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var (net, name) = (parse.GetValue(Network)!, parse.GetValue(Workload)!);
        ctx.AuditResource = $"{name}@{net}";
        await ctx.Engines.Networks.DisconnectAsync(name, net, ct);
        ctx.Out.Line($"Disconnected \"{name}\" from network \"{net}\".");
        return 0;
    }
}
