using System.Net;
using System.Text.Json.Nodes;
using Volt.Core.Errors;
using Volt.Network.Addressing;
using Volt.Network.Netlink;

namespace Volt.Network.Host;

/// <summary>Where a container's network namespace is: a PID (what containers use) or a named netns (tests, tools).</summary>
public abstract record NetnsTarget
{
    /// <summary>The value <c>ip link set … netns</c> takes.</summary>
    public abstract string IpArgument { get; }

    /// <summary>Reads back <see cref="ToString"/> (<c>pid:123</c>, <c>netns:NAME</c>) from an attachment record.</summary>
    public static NetnsTarget Parse(string text) =>
        text.StartsWith("pid:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid)
            ? new Pid(pid)
            : text.StartsWith("netns:", StringComparison.Ordinal) ? new Named(text[6..])
            : throw new Volt.Core.Errors.VoltException(Volt.Core.Errors.ExitCode.General, $"corrupt attachment target \"{text}\"");

    /// <summary>The command line that runs <c>ip</c> inside the namespace.</summary>
    public abstract (string Tool, string[] Args) IpInside(params string[] args);

    /// <summary>The namespace file (<c>/proc/PID/ns/net</c>, <c>/run/netns/NAME</c>) netlink steps open.</summary>
    public abstract string Path { get; }

    public sealed record Pid(int Value) : NetnsTarget
    {
        public override string IpArgument => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        public override (string, string[]) IpInside(params string[] args) => ("nsenter", ["-t", IpArgument, "-n", "ip", .. args]);
        public override string Path => $"/proc/{IpArgument}/ns/net";
        public override string ToString() => $"pid:{Value}";
    }

    public sealed record Named(string Name) : NetnsTarget
    {
        public override string IpArgument => Name;
        public override (string, string[]) IpInside(params string[] args) => ("ip", ["-n", Name, .. args]);
        public override string Path => LinkDriver.NetnsPath(Name);
        public override string ToString() => $"netns:{Name}";
    }
}

/// <summary>
/// Bridges, veth pairs, addresses, routes and namespaces. What a container start does runs in-process over rtnetlink
/// (<see cref="RtLinks"/>, <see cref="NamedNetns"/>: no process per step); the rarer steps (a bridge's creation,
/// listings, routes of the host for overlap checks) run <c>ip</c>. Each method is one step a caller can register an
/// undo for; a refused step is exit 8 naming it.
/// </summary>
public sealed class LinkDriver(HostCommands host)
{
    private readonly RtLinks _rt = new(host.Netns is { } ns ? NetnsPath(ns) : null);

    public Task<bool> ExistsAsync(string name, CancellationToken ct) => Task.FromResult(Step($"looking up link \"{name}\"", () => _rt.Index(name)) is not null);

    /// <summary>Runs one netlink step; the kernel's refusal becomes exit 8 naming <paramref name="action"/>.</summary>
    private static T Step<T>(string action, Func<T> step)
    {
        try { return step(); }
        catch (NetlinkException e) { throw new VoltException(ExitCode.Network, $"Failed {action}: {e.Message}", e); }
        catch (IOException e) { throw new VoltException(ExitCode.Network, $"Failed {action}: {e.Message}", e); }
    }

    private static Task Step(string action, Action step) => Task.FromResult(Step(action, () => { step(); return 0; }));

    /// <summary>Sets a sysctl of the managed namespace in-process (<c>/proc/sys/net</c>; written only when it differs).</summary>
    public Task SysctlAsync(string key, string value) => Step($"setting {key}={value}", () => _rt.Sysctl(key, value));

    /// <summary>nftables' ruleset generation of the managed namespace (null when unreadable): unchanged means no
    /// nftables transaction at all was committed since it was read.</summary>
    public uint? NftGeneration() => _rt.NftGeneration();

    /// <summary>Creates the bridge (no STP, no forward delay so ports forward at once), with an MTU when given.</summary>
    /// <summary>
    /// Creates the bridge with a MAC of its own, <paramref name="mac"/> (from its gateway address: <see cref="MacFor"/>).
    /// A bridge without one takes the lowest MAC of its ports and changes it as ports come and go (all zeros once the
    /// last leaves): a workload's ARP entry for the gateway then points at a veth that is gone, and its DNS queries and
    /// routed traffic are lost until the entry is probed again, seconds later. An address set explicitly never follows
    /// the ports (Docker and Incus set one for the same reason).
    /// </summary>
    public Task CreateBridgeAsync(string bridge, int mtu, string mac, CancellationToken ct) =>
        host.CheckAsync($"creating bridge \"{bridge}\"", "ip",
            ["link", "add", "name", bridge, "address", mac, .. Mtu(mtu), "type", "bridge", "forward_delay", "0", "stp_state", "0"], null, ct);

    /// <summary>Gives the bridge its gateway address(es) (idempotent: <c>addr replace</c>; IPv6 <c>nodad</c>, so nothing
    /// waits for duplicate address detection) and its own MAC (<see cref="MacFor"/>; a bridge an older Volt made without
    /// one is migrated in place) and brings it up.</summary>
    public Task ConfigureBridgeAsync(string bridge, Ipv4Cidr subnet, string gateway, string? gateway6, int prefix6, CancellationToken ct) =>
        Step($"configuring bridge \"{bridge}\"", () => _rt.ConfigureBridge(bridge, IPAddress.Parse(gateway), subnet.PrefixLength,
            gateway6 is null ? null : IPAddress.Parse(gateway6), prefix6, RtNetlink.Mac(MacFor(gateway))));

    /// <summary>
    /// The bridge's keeper (<see cref="NetNames.Keeper"/>): a port that is always up, so the bridge never loses its
    /// carrier. A bridge whose last port leaves goes NO-CARRIER: the kernel flushes its neighbour entries (a workload
    /// handed the same address next is ARPed for again) and swaps its queue for one that drops everything until the link
    /// watcher, which batches changes up to a second apart, brings the carrier back after the next port joins — so a new
    /// workload's first DNS answers and replies from the host could be dropped (a single ping failed in CI). Incus keeps
    /// a dummy port on its bridges too (for their MTU); this is a veth whose peer stays beside it, as not every kernel
    /// has the dummy driver (these VMs' does not). Idempotent: false when it is there, on this bridge.
    /// </summary>
    public Task<bool> EnsureKeeperAsync(string bridge, int mtu, CancellationToken ct)
    {
        var keeper = NetNames.Keeper(bridge);
        return Task.FromResult(Step($"creating \"{keeper}\" on bridge \"{bridge}\"", () =>
        {
            if (_rt.IsPortOf(keeper, bridge)) return false;
            // Gone, or left over from a bridge deleted under it (a port is freed with its bridge): made anew.
            _rt.Delete(keeper);
            try { _rt.CreateCarrierPair(keeper, NetNames.KeeperPeer(bridge), bridge, mtu); }
            catch (NetlinkException)
            {
                _rt.Delete(keeper); // the pair, when the first step made it
                throw;
            }
            return true;
        }));
    }

    private static string[] Mtu(int mtu) => mtu > 0 ? ["mtu", mtu.ToString(System.Globalization.CultureInfo.InvariantCulture)] : [];

    /// <summary>The MTU of the device the default route uses (1500 when there is no default route).</summary>
    public async Task<int> DefaultRouteMtuAsync(CancellationToken ct)
    {
        var r = await host.RunAsync("ip", ["-j", "route", "show", "default"], null, ct).ConfigureAwait(false);
        var dev = r.Success && JsonNode.Parse(r.StdOut) is JsonArray arr && arr.Count > 0 ? (string?)arr[0]?["dev"] : null;
        if (dev is null) return 1500;
        var l = await host.RunAsync("ip", ["-j", "link", "show", "dev", dev], null, ct).ConfigureAwait(false);
        return l.Success && JsonNode.Parse(l.StdOut) is JsonArray la && la.Count > 0 && (int?)la[0]?["mtu"] is int m ? m : 1500;
    }

    /// <summary>IPv4 routes of the managed namespace that are not on <paramref name="exceptDevices"/>: (destination, device).</summary>
    public async Task<IReadOnlyList<(string Dst, string Dev)>> RoutesAsync(IReadOnlySet<string> exceptDevices, CancellationToken ct)
    {
        var r = await host.RunAsync("ip", ["-j", "-4", "route", "show", "table", "all"], null, ct).ConfigureAwait(false);
        if (!r.Success || JsonNode.Parse(r.StdOut) is not JsonArray arr) return [];
        return [.. arr.OfType<JsonObject>()
            .Select(o => ((string?)o["dst"] ?? "", (string?)o["dev"] ?? "", (string?)o["type"]))
            .Where(t => t.Item1 is not ("" or "default") && t.Item3 is null or "unicast" && !exceptDevices.Contains(t.Item2))
            .Select(t => (t.Item1, t.Item2))];
    }

    /// <summary>
    /// A fresh named network namespace (<c>ip netns add</c>: <c>/run/netns/NAME</c>). One left by a crash under the same
    /// name is deleted first, so a start never joins a namespace with a previous run's interfaces in it.
    /// </summary>
    public Task CreateNetnsAsync(string name, CancellationToken ct) =>
        Step($"creating network namespace \"{name}\"", () =>
        {
            NamedNetns.Delete(name);
            NamedNetns.Create(name);
        });

    /// <summary>Deletes a named network namespace; one already gone is not an error.</summary>
    public Task DeleteNetnsAsync(string name, CancellationToken ct) =>
        Step($"deleting network namespace \"{name}\"", () => { NamedNetns.Delete(name); });

    /// <summary>Where <c>ip netns</c> keeps a named namespace.</summary>
    public static string NetnsPath(string name) => "/run/netns/" + name;

    /// <summary>Deletes a link; a link that is already gone is not an error.</summary>
    public Task DeleteAsync(string name, CancellationToken ct) => Step($"deleting link \"{name}\"", () => { _rt.Delete(name); });

    /// <summary>One veth pair: <paramref name="hostEnd"/> enslaved to the bridge and up; the peer created straight in
    /// the container netns as <paramref name="inside"/> (eth0, eth1…), both with the network's MTU; the peer's MAC is
    /// <paramref name="mac"/> when given (derived from its address: see <see cref="MacFor"/>).</summary>
    public Task CreateVethAsync(string hostEnd, string bridge, NetnsTarget target, string inside, int mtu, CancellationToken ct, string? mac = null) =>
        Step($"creating veth \"{hostEnd}\" into {target}", () => _rt.CreateVeth(hostEnd, bridge, target.Path, inside, mtu, mac));

    /// <summary>
    /// The MAC of a workload's interface, from its IPv4 address (as Docker does with 02:42:…): <c>02:76:a:b:c:d</c>
    /// (locally administered, unicast). An address handed to a new container after another's removal keeps its MAC, so
    /// the bridge's and its peers' ARP entries for it stay right instead of pointing at a gone veth for seconds.
    /// </summary>
    public static string MacFor(string ipv4)
    {
        var b = System.Net.IPAddress.Parse(ipv4).GetAddressBytes();
        return $"02:76:{b[0]:x2}:{b[1]:x2}:{b[2]:x2}:{b[3]:x2}";
    }

    /// <summary>Inside the container: loopback up, the address(es) on <paramref name="inside"/>, up, and the default
    /// route via the gateway when <paramref name="defaultRoute"/> (the first non-internal network).</summary>
    public Task ConfigureInsideAsync(NetnsTarget target, string inside, string address, int prefix, string gateway,
        string? address6, int prefix6, string? gateway6, bool defaultRoute, CancellationToken ct) =>
        Step($"configuring {inside} in {target}", () => _rt.ConfigureInside(target.Path, inside, IPAddress.Parse(address), prefix,
            IPAddress.Parse(gateway), address6 is null ? null : IPAddress.Parse(address6), prefix6,
            gateway6 is null ? null : IPAddress.Parse(gateway6), defaultRoute));

    /// <summary>Deletes an interface inside the container's namespace (gone already is fine).</summary>
    public async Task DeleteInsideAsync(NetnsTarget target, string inside, CancellationToken ct)
    {
        var (tool, args) = target.IpInside("link", "del", "dev", inside);
        await host.RunAsync(tool, args, null, ct).ConfigureAwait(false);
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
