using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Paths;
using Volt.Core.Processes;
using Volt.Network.Addressing;
using Volt.Network.Firewall;
using Volt.Network.Host;
using Volt.Network.Ipam;
using Volt.Network.State;

namespace Volt.Network;

/// <summary>
/// The networking engine: Volt networks (a bridge, a subnet, outbound NAT), container attachments (a veth, an
/// address, published ports) and their removal. Every multi-step host change runs under a <see cref="Reverter"/>;
/// create/delete/attach/detach are serialised by <c>locks/network.lock</c> across processes.
/// </summary>
public sealed partial class NetworkManager
{
    private readonly NetworkOptions _options;
    private readonly TimeProvider _time;
    private readonly LinkDriver _links;
    private readonly NftDriver _nft;
    private readonly string _root;

    public NetworkManager(VoltPaths paths, NetworkOptions options, IProcessRunner runner, TimeProvider? time = null)
    {
        _root = paths.Root;
        _options = options;
        _time = time ?? TimeProvider.System;
        Store = new NetworkStore(paths);
        Host = new HostCommands(runner, options.Netns);
        _links = new LinkDriver(Host);
        _nft = new NftDriver(Host);
        Firewall = new FirewallStore(Store);
    }

    public NetworkStore Store { get; }
    public HostCommands Host { get; }

    public IReadOnlyList<NetworkRecord> List() => Store.List();

    public NetworkRecord Get(string name) =>
        Store.TryGet(name) ?? throw VoltException.NotFound($"network \"{name}\" not found");

    public IpAllocator Ipam(NetworkRecord net) => new(Store, net.Name, net.Cidr, net.Gateway);

    /// <summary>The named firewall rules (<c>volt firewall</c>).</summary>
    public FirewallStore Firewall { get; }

    /// <summary>The default network (<c>volt0</c>): created with the configured bridge and subnet on first need, and
    /// its bridge and NAT re-created if the host lost them (a reboot).</summary>
    public async Task<NetworkRecord> EnsureDefaultAsync(CancellationToken ct = default)
    {
        using var _ = await FileLock.ExclusiveAsync(Store.EngineLock, ct).ConfigureAwait(false);
        await RecoverLockedAsync(ct).ConfigureAwait(false);
        return await Reverter.RunAsync(null, rev => EnsureDefaultLockedAsync(rev, ct)).ConfigureAwait(false);
    }

    /// <summary><c>volt net create</c>: bridge <c>volt-&lt;name&gt;</c> with the gateway address (default the subnet's first
    /// host), NAT unless internal, IPv6 when asked, the MTU (default: the host's default-route MTU). A subnet that
    /// overlaps another Volt network or a route of the host → exit 9 naming it.</summary>
    public async Task<NetworkRecord> CreateAsync(string name, string subnet, NetworkCreateOptions? options = null, CancellationToken ct = default)
    {
        options ??= new NetworkCreateOptions();
        NetNames.ValidateNetwork(name);
        var cidr = Ipv4Cidr.Parse(subnet);
        var bridge = name == NetNames.DefaultNetwork ? _options.DefaultBridge : NetNames.BridgeFor(name);
        var gateway = cidr.GatewayText;
        if (options.Gateway is { } g)
        {
            var ga = Ipv4Cidr.ParseAddress(g);
            if (!cidr.Contains(ga) || ga == cidr.Network || ga == cidr.Broadcast)
                throw VoltException.Usage($"invalid --gateway {g}: not a host address of {cidr}");
            gateway = Ipv4Cidr.Format(ga);
        }
        Ipv6Cidr? v6 = options.Subnet6 is { } s6 ? Ipv6Cidr.Parse(s6) : options.Ipv6 ? Ipv6Cidr.UniqueLocal(name) : null;
        if (options.Mtu is { } m && m is < 576 or > 65535) throw VoltException.Usage($"invalid --mtu {m}: must be from 576 to 65535");
        using var _ = await FileLock.ExclusiveAsync(Store.EngineLock, ct).ConfigureAwait(false);
        await RecoverLockedAsync(ct).ConfigureAwait(false);
        if (Store.TryGet(name) is not null) throw VoltException.Exists($"network \"{name}\" already exists");
        var mtu = options.Mtu ?? await _links.DefaultRouteMtuAsync(ct).ConfigureAwait(false);
        var net = new NetworkRecord(name, bridge, cidr.ToString(), gateway, _time.GetUtcNow())
        {
            // The IPv6 gateway mirrors the IPv4 one's host part (.1 → ::1, .254 → ::fe), as every workload's address
            // does: IPAM never hands out the gateway, so no workload's IPv6 address is the gateway's either.
            Internal = options.Internal, Subnet6 = v6?.ToString(), Gateway6 = v6?.Host(Ipv4Cidr.ParseAddress(gateway) - cidr.Network), Mtu = mtu,
        };
        return await Reverter.RunAsync(null, rev => CreateLockedAsync(net, rev, ct)).ConfigureAwait(false);
    }

    /// <summary><c>volt net delete</c>: refuses (exit 9) while workloads are attached; removes its rules, bridge and files.</summary>
    public async Task DeleteAsync(string name, CancellationToken ct = default)
    {
        using var _ = await FileLock.ExclusiveAsync(Store.EngineLock, ct).ConfigureAwait(false);
        await RecoverLockedAsync(ct).ConfigureAwait(false);
        var net = Get(name);
        var attached = Store.Attachments().Where(a => a.Network == name).Select(a => a.Container).ToList();
        if (attached.Count > 0)
            throw VoltException.Conflict($"network \"{name}\" has attached workloads: {string.Join(", ", attached)}");
        await _links.DeleteAsync(net.Bridge, ct).ConfigureAwait(false);
        await _links.DeleteAsync(NetNames.Keeper(net.Bridge), ct).ConfigureAwait(false); // a bridge's deletion frees its ports
        Store.Delete(name);
        if (Store.List().Count == 0 && Firewall.Rules().Count == 0) await _nft.DeleteTableAsync(ct).ConfigureAwait(false);
        else await RebuildLockedAsync(ct).ConfigureAwait(false);
    }

    private async Task<NetworkRecord> EnsureDefaultLockedAsync(Reverter rev, CancellationToken ct)
    {
        var net = Store.TryGet(NetNames.DefaultNetwork);
        if (net is not null)
        {
            await EnsureUpAsync(net, rev, ct).ConfigureAwait(false);
            return net;
        }
        NetNames.ValidateInterface(_options.DefaultBridge);
        var cidr = Ipv4Cidr.Parse(_options.DefaultSubnet);
        var mtu = await _links.DefaultRouteMtuAsync(ct).ConfigureAwait(false);
        return await CreateLockedAsync(new NetworkRecord(NetNames.DefaultNetwork, _options.DefaultBridge, cidr.ToString(), cidr.GatewayText, _time.GetUtcNow()) { Mtu = mtu },
            rev, ct).ConfigureAwait(false);
    }

    private async Task<NetworkRecord> CreateLockedAsync(NetworkRecord net, Reverter rev, CancellationToken ct)
    {
        var cidr = net.Cidr;
        foreach (var other in Store.List())
        {
            if (other.Cidr.Overlaps(cidr))
                throw VoltException.Conflict($"subnet {cidr} overlaps network \"{other.Name}\" ({other.Subnet})");
            if (net.Subnet6 is { } s6 && other.Subnet6 is { } o6 && Ipv6Cidr.Parse(s6).Overlaps(Ipv6Cidr.Parse(o6)))
                throw VoltException.Conflict($"subnet {s6} overlaps network \"{other.Name}\" ({o6})");
            if (other.Bridge == net.Bridge)
                throw VoltException.Conflict($"bridge \"{net.Bridge}\" already belongs to network \"{other.Name}\"");
        }
        var volt = new HashSet<string>(Store.List().Select(n => n.Bridge).Append(net.Bridge), StringComparer.Ordinal);
        foreach (var (dst, dev) in await _links.RoutesAsync(volt, ct).ConfigureAwait(false))
        {
            var route = dst.Contains('/') ? dst : dst + "/32";
            var slash = route.IndexOf('/');
            if (!Ipv4Cidr.TryParseAddress(route[..slash], out var addr) || !int.TryParse(route.AsSpan(slash + 1), out var plen)) continue;
            var r = new Ipv4Cidr(plen == 0 ? 0 : addr & (uint.MaxValue << (32 - plen)), plen);
            if (r.Overlaps(cidr))
                throw VoltException.Conflict($"subnet {cidr} collides with the host route {dst} on \"{dev}\"");
        }
        Store.Save(net);
        rev.Add($"remove network record \"{net.Name}\"", () => Store.Delete(net.Name));
        await EnsureUpAsync(net, rev, ct).ConfigureAwait(false);
        return net;
    }

    /// <summary>Bridge present, addressed and up; forwarding on; the network's rules in table volt (a rebuild when they
    /// are missing, e.g. after <c>nft flush ruleset</c>). Undo is registered only for what this call created.</summary>
    private async Task EnsureUpAsync(NetworkRecord net, Reverter rev, CancellationToken ct)
    {
        if (!await _links.ExistsAsync(net.Bridge, ct).ConfigureAwait(false))
        {
            await _links.CreateBridgeAsync(net.Bridge, net.Mtu, LinkDriver.MacFor(net.Gateway), ct).ConfigureAwait(false);
            rev.Add($"delete bridge \"{net.Bridge}\"", c => _links.DeleteAsync(net.Bridge, c));
        }
        // Bridges an older Volt made get their keeper here too (the next workload that joins).
        if (await _links.EnsureKeeperAsync(net.Bridge, net.Mtu, ct).ConfigureAwait(false))
            rev.Add($"delete \"{NetNames.Keeper(net.Bridge)}\"", c => _links.DeleteAsync(NetNames.Keeper(net.Bridge), c));
        var v6 = net.Subnet6 is { } s6 ? Ipv6Cidr.Parse(s6) : (Ipv6Cidr?)null;
        await _links.ConfigureBridgeAsync(net.Bridge, net.Cidr, net.Gateway, net.Gateway6, v6?.PrefixLength ?? 64, ct).ConfigureAwait(false);
        // Forwarding is host-wide and other software may rely on it: switched on, never switched back off.
        await _links.SysctlAsync("net.ipv4.ip_forward", "1").ConfigureAwait(false);
        if (v6 is not null) await _links.SysctlAsync("net.ipv6.conf.all.forwarding", "1").ConfigureAwait(false);
        // Lets DNAT from 127.0.0.1 route out of this bridge (see docs/networking.md, "Publishing on loopback").
        await _links.SysctlAsync($"net/ipv4/conf/{net.Bridge}/route_localnet", "1").ConfigureAwait(false);
        // Listing the table (an nft process, JSON of every rule) only when some nftables transaction — anyone's, an
        // `nft flush ruleset` included — was committed since this process last found the network's rules in place.
        var gen = _links.NftGeneration();
        var key = $"{_root}\n{_options.Netns}\n{net.Name}";
        if (gen is not null && VerifiedRules.TryGetValue(key, out var seen) && seen == gen) return;
        var table = await _nft.ListAsync(ct).ConfigureAwait(false);
        if (!table.Chains.Contains("forward") || !table.Rules.Any(r => r.Comment == NftDriver.NetworkComment(net.Name)))
        {
            VerifiedRules.TryRemove(key, out _);
            await RebuildLockedAsync(ct).ConfigureAwait(false);
            rev.Add($"remove rules of \"{net.Name}\"", c => _nft.RemoveAsync(NftDriver.NetworkComment(net.Name), c));
        }
        // The generation read before the listing: a change in between makes the next check list again.
        else if (gen is not null) VerifiedRules[key] = gen.Value;
    }

    /// <summary>Per Volt root, managed namespace and network: the nftables generation at which its rules were last seen
    /// in place (voltd starts many containers; the CLI process, one).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, uint> VerifiedRules = new(StringComparer.Ordinal);
}
