using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Paths;
using Volt.Core.Processes;
using Volt.Network.Addressing;
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

    public NetworkManager(VoltPaths paths, NetworkOptions options, IProcessRunner runner, TimeProvider? time = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        Store = new NetworkStore(paths);
        Host = new HostCommands(runner, options.Netns);
        _links = new LinkDriver(Host);
        _nft = new NftDriver(Host);
    }

    public NetworkStore Store { get; }
    public HostCommands Host { get; }

    public IReadOnlyList<NetworkRecord> List() => Store.List();

    public NetworkRecord Get(string name) =>
        Store.TryGet(name) ?? throw VoltException.NotFound($"network \"{name}\" not found");

    public IpAllocator Ipam(NetworkRecord net) => new(Store, net.Name, net.Cidr);

    /// <summary>The default network (<c>volt0</c>): created with the configured bridge and subnet on first need, and
    /// its bridge and NAT re-created if the host lost them (a reboot).</summary>
    public async Task<NetworkRecord> EnsureDefaultAsync(CancellationToken ct = default)
    {
        using var _ = FileLock.Exclusive(Store.EngineLock);
        return await Reverter.RunAsync(null, rev => EnsureDefaultLockedAsync(rev, ct)).ConfigureAwait(false);
    }

    /// <summary><c>volt net create</c>: bridge <c>volt-&lt;name&gt;</c> with the subnet's first host address, plus NAT.</summary>
    public async Task<NetworkRecord> CreateAsync(string name, string subnet, CancellationToken ct = default)
    {
        NetNames.ValidateNetwork(name);
        var cidr = Ipv4Cidr.Parse(subnet);
        var bridge = name == NetNames.DefaultNetwork ? _options.DefaultBridge : NetNames.BridgeFor(name);
        using var _ = FileLock.Exclusive(Store.EngineLock);
        if (Store.TryGet(name) is not null) throw VoltException.Exists($"network \"{name}\" already exists");
        return await Reverter.RunAsync(null, rev => CreateLockedAsync(name, bridge, cidr, rev, ct)).ConfigureAwait(false);
    }

    /// <summary><c>volt net delete</c>: refuses (exit 9) while containers are attached; removes NAT, bridge and files.</summary>
    public async Task DeleteAsync(string name, CancellationToken ct = default)
    {
        using var _ = FileLock.Exclusive(Store.EngineLock);
        var net = Get(name);
        var attached = Store.Attachments().Where(a => a.Network == name).Select(a => a.Container).ToList();
        if (attached.Count > 0)
            throw VoltException.Conflict($"network \"{name}\" has attached containers: {string.Join(", ", attached)}");
        await _nft.RemoveAsync(NftDriver.NetworkComment(name), ct).ConfigureAwait(false);
        await _links.DeleteAsync(net.Bridge, ct).ConfigureAwait(false);
        Store.Delete(name);
        if (Store.List().Count == 0) await _nft.DeleteTableAsync(ct).ConfigureAwait(false);
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
        return await CreateLockedAsync(NetNames.DefaultNetwork, _options.DefaultBridge, Ipv4Cidr.Parse(_options.DefaultSubnet), rev, ct).ConfigureAwait(false);
    }

    private async Task<NetworkRecord> CreateLockedAsync(string name, string bridge, Ipv4Cidr cidr, Reverter rev, CancellationToken ct)
    {
        foreach (var other in Store.List())
        {
            if (other.Cidr.Overlaps(cidr))
                throw VoltException.Conflict($"subnet {cidr} overlaps network \"{other.Name}\" ({other.Subnet})");
            if (other.Bridge == bridge)
                throw VoltException.Conflict($"bridge \"{bridge}\" already belongs to network \"{other.Name}\"");
        }
        var net = new NetworkRecord(name, bridge, cidr.ToString(), cidr.GatewayText, _time.GetUtcNow());
        Store.Save(net);
        rev.Add($"remove network record \"{name}\"", () => Store.Delete(name));
        await EnsureUpAsync(net, rev, ct).ConfigureAwait(false);
        return net;
    }

    /// <summary>Bridge present, addressed and up; forwarding on; NAT rules present. Undo is registered only for what this call created.</summary>
    private async Task EnsureUpAsync(NetworkRecord net, Reverter rev, CancellationToken ct)
    {
        if (!await _links.ExistsAsync(net.Bridge, ct).ConfigureAwait(false))
        {
            await _links.CreateBridgeAsync(net.Bridge, ct).ConfigureAwait(false);
            rev.Add($"delete bridge \"{net.Bridge}\"", c => _links.DeleteAsync(net.Bridge, c));
        }
        await _links.ConfigureBridgeAsync(net.Bridge, net.Cidr, ct).ConfigureAwait(false);
        // Forwarding is host-wide and other software may rely on it: switched on, never switched back off.
        await Host.SysctlAsync("net.ipv4.ip_forward", "1", ct).ConfigureAwait(false);
        // Lets DNAT from 127.0.0.1 route out of this bridge (see docs/networking.md, "Publishing on loopback").
        await Host.SysctlAsync($"net/ipv4/conf/{net.Bridge}/route_localnet", "1", ct).ConfigureAwait(false);
        if (await _nft.EnsureNetworkNatAsync(net, ct).ConfigureAwait(false))
            rev.Add($"remove NAT of \"{net.Name}\"", c => _nft.RemoveAsync(NftDriver.NetworkComment(net.Name), c));
    }
}
