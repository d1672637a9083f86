using System.Text.Json.Nodes;
using Volt.Network.Addressing;

namespace Volt.Network.Host;

/// <summary>Where a container's network namespace is: a PID (what containers use) or a named netns (tests, tools).</summary>
public abstract record NetnsTarget
{
    /// <summary>The value <c>ip link set … netns</c> takes.</summary>
    public abstract string IpArgument { get; }

    /// <summary>The command line that runs <c>ip</c> inside the namespace.</summary>
    public abstract (string Tool, string[] Args) IpInside(params string[] args);

    public sealed record Pid(int Value) : NetnsTarget
    {
        public override string IpArgument => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        public override (string, string[]) IpInside(params string[] args) => ("nsenter", ["-t", IpArgument, "-n", "ip", .. args]);
        public override string ToString() => $"pid:{Value}";
    }

    public sealed record Named(string Name) : NetnsTarget
    {
        public override string IpArgument => Name;
        public override (string, string[]) IpInside(params string[] args) => ("ip", ["-n", Name, .. args]);
        public override string ToString() => $"netns:{Name}";
    }
}

/// <summary>Bridges and veth pairs through <c>ip</c>. Each method is one step a caller can register an undo for.</summary>
public sealed class LinkDriver(HostCommands host)
{
    public async Task<bool> ExistsAsync(string name, CancellationToken ct) =>
        (await host.RunAsync("ip", ["-j", "link", "show", "dev", name], null, ct).ConfigureAwait(false)).Success;

    /// <summary>Creates the bridge (no STP, no forward delay so ports forward at once).</summary>
    public Task CreateBridgeAsync(string bridge, CancellationToken ct) =>
        host.CheckAsync($"creating bridge \"{bridge}\"", "ip", ["link", "add", "name", bridge, "type", "bridge", "forward_delay", "0", "stp_state", "0"], null, ct);

    /// <summary>Gives the bridge its gateway address (idempotent: <c>addr replace</c>) and brings it up.</summary>
    public Task ConfigureBridgeAsync(string bridge, Ipv4Cidr subnet, CancellationToken ct) =>
        host.CheckAsync($"configuring bridge \"{bridge}\"", "ip", ["-b", "-"],
            $"addr replace {subnet.GatewayText}/{subnet.PrefixLength} dev {bridge}\nlink set dev {bridge} up\n", ct);

    /// <summary>Deletes a link; a link that is already gone is not an error.</summary>
    public async Task DeleteAsync(string name, CancellationToken ct)
    {
        var r = await host.RunAsync("ip", ["link", "del", "dev", name], null, ct).ConfigureAwait(false);
        if (!r.Success && await ExistsAsync(name, ct).ConfigureAwait(false))
            await host.CheckAsync($"deleting link \"{name}\"", "ip", ["link", "del", "dev", name], null, ct).ConfigureAwait(false);
    }

    /// <summary>One veth pair: <paramref name="hostEnd"/> enslaved to the bridge and up; the peer created straight in the container netns as <c>eth0</c>.</summary>
    public Task CreateVethAsync(string hostEnd, string bridge, NetnsTarget target, CancellationToken ct) =>
        host.CheckAsync($"creating veth \"{hostEnd}\" into {target}", "ip",
            ["link", "add", "name", hostEnd, "master", bridge, "up", "type", "veth", "peer", "name", "eth0", "netns", target.IpArgument], null, ct);

    /// <summary>Inside the container: loopback up, eth0 address, up, default route via the gateway.</summary>
    public Task ConfigureInsideAsync(NetnsTarget target, string address, Ipv4Cidr subnet, CancellationToken ct)
    {
        var (tool, args) = target.IpInside("-b", "-");
        return host.CheckAsync($"configuring eth0 in {target}", tool, args,
            $"link set dev lo up\naddr add {address}/{subnet.PrefixLength} dev eth0\nlink set dev eth0 up\nroute replace default via {subnet.GatewayText} dev eth0\n", ct);
    }

    /// <summary><c>ip -j addr</c>: every link with state, master and IPv4 addresses.</summary>
    public async Task<IReadOnlyList<LinkInfo>> ListAsync(CancellationToken ct)
    {
        var r = await host.CheckAsync("listing links", "ip", ["-j", "addr", "show"], null, ct).ConfigureAwait(false);
        if (JsonNode.Parse(r.StdOut) is not JsonArray arr) return [];
        return [.. arr.OfType<JsonObject>().Select(l => new LinkInfo(
            (string?)l["ifname"] ?? "",
            // Administrative state: a bridge with no ports reports operstate UNKNOWN/DOWN even when it is up.
            (l["flags"] as JsonArray ?? []).Any(f => (string?)f == "UP") ? "up" : "down",
            (string?)l["master"],
            [.. (l["addr_info"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(a => (string?)a["family"] == "inet")
                .Select(a => $"{(string?)a["local"]}/{(int?)a["prefixlen"]}")]))];
    }
}

/// <summary>One row of <c>ip -j addr</c>.</summary>
public sealed record LinkInfo(string Name, string State, string? Master, IReadOnlyList<string> Addresses);
