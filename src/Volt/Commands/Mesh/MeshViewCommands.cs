using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Rendering;

namespace Volt.Commands.Mesh;

internal sealed class MeshStatusCommand : VoltCommand
{
    public MeshStatusCommand() : base("status", "This host in the mesh: key, mesh IP, endpoint, interface, kernel or userspace, and whether etcd is reachable")
    {
        Examples = ["volt mesh status", "volt mesh status -o json"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var s = await ctx.Engines.Mesh.StatusAsync(ct).ConfigureAwait(false);
        var o = new JsonObject
        {
            ["mesh"] = s.State.Mesh, ["host"] = s.State.Host, ["publicKey"] = s.PublicKey, ["meshIp"] = s.State.MeshIp,
            ["subnet"] = s.State.Subnet, ["endpoint"] = s.State.Endpoint, ["interface"] = s.State.Interface,
            ["interfaceUp"] = s.InterfaceUp, ["mode"] = s.Mode, ["kernelWireguard"] = s.KernelSupport == "kernel",
            ["etcd"] = string.Join(",", s.State.Etcd), ["etcdReachable"] = s.EtcdReachable, ["stale"] = s.Stale,
            ["agentRunning"] = s.AgentRunning, ["peers"] = s.Peers, ["lastSync"] = s.LastSync?.ToString("O"),
        };
        if (s.EtcdError is not null) o["etcdError"] = s.EtcdError;
        if (ctx.Out.Format != OutputFormat.Table) { ctx.Out.Data(o); return 0; }
        var now = ctx.Time.GetUtcNow();
        ctx.Out.Line($"Mesh:       {s.State.Mesh} (host {s.State.Host})");
        ctx.Out.Line($"Key:        {s.PublicKey}");
        ctx.Out.Line($"Mesh IP:    {s.State.MeshIp} (workload subnet {s.State.Subnet})");
        ctx.Out.Line($"Endpoint:   {s.State.Endpoint}");
        ctx.Out.Line($"Interface:  {s.State.Interface} ({(s.InterfaceUp ? "up" : "missing")}), {s.Mode} (wireguard-go){(s.KernelSupport == "kernel" ? "; the kernel module is loaded too" : "; no kernel module")}");
        ctx.Out.Line($"etcd:       {string.Join(",", s.State.Etcd)} {(s.EtcdReachable ? "reachable" : "UNREACHABLE")}");
        ctx.Out.Line($"Agent:      {(s.AgentRunning ? "running" : "not running")}");
        ctx.Out.Line($"Peers:      {s.Peers}{(s.LastSync is { } t ? $", synced {Human.Ago(t, now)}" : "")}{(s.Stale ? " (stale: last known peers, etcd or the agent is not answering)" : "")}");
        return 0;
    }
}

internal sealed class MeshPeersCommand : VoltCommand
{
    public MeshPeersCommand() : base("peers", "The other hosts this host's WireGuard device talks to, with handshakes and traffic")
    {
        Examples = ["volt mesh peers", "volt mesh peers -o json", "volt mesh peers -o yaml"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var now = ctx.Time.GetUtcNow();
        var rows = (await ctx.Engines.Mesh.PeersAsync(ct).ConfigureAwait(false)).Select(p => new JsonObject
        {
            ["name"] = p.Name, ["meshIp"] = p.MeshIp, ["endpoint"] = p.Endpoint, ["subnets"] = p.Subnets,
            ["lastHandshake"] = p.LastHandshake?.ToString("O"), ["rx"] = p.Rx, ["tx"] = p.Tx, ["publicKey"] = p.PublicKey,
        }).ToList();
        ctx.Out.List(rows,
        [
            new Column("NAME", "name"), new Column("MESH-IP", "meshIp"), new Column("ENDPOINT", "endpoint"), new Column("SUBNETS", "subnets"),
            new Column("LAST HANDSHAKE", "lastHandshake", n => n is JsonValue v && v.TryGetValue<string>(out var t) && DateTimeOffset.TryParse(t, System.Globalization.CultureInfo.InvariantCulture, out var d) ? Human.Ago(d, now) : "never"),
            new Column("RX", "rx", Human.Bytes, RightAlign: true), new Column("TX", "tx", Human.Bytes, RightAlign: true),
        ]);
        return 0;
    }
}
