using Volt.Network;
using Volt.Network.Addressing;
using Volt.Workloads.Networking;

namespace Volt.Composition.Adapters;

/// <summary>
/// Wires Volt.Network into the container engine before the payload runs: the container's own namespace, a veth per
/// network on its bridge, an address from IPAM, port forwards, and resolv.conf naming volt-dns.
/// </summary>
internal sealed class NetworkAttacher(Func<NetworkManager> networks) : INetworkAttacher
{
    public string NetnsPath(string container) => networks().ContainerNetnsPath(container);

    public async Task<string?> AttachAsync(string container, string? network, IReadOnlyList<string> extraNetworks, IReadOnlyList<string> publish,
        string rootfs, CancellationToken ct = default)
    {
        var m = networks();
        var ports = PortMapping.ParseAll(publish);
        var target = await m.CreateContainerNetnsAsync(container, ct).ConfigureAwait(false);
        var a = await m.AttachAsync(container, network, target, ports, ct).ConfigureAwait(false);
        foreach (var extra in extraNetworks)
            await m.AttachAsync(container, extra, target, [], ct).ConfigureAwait(false);
        // volt-dns on the gateway, with the network's search domain (docs/dns.md).
        Dns.ContainerResolvConf.Write(rootfs, a.Gateway, [m.Store.TryGet(a.Network)?.SearchDomain ?? a.Network + ".volt"]);
        return a.Address;
    }

    public Task DetachAsync(string container, CancellationToken ct = default) => networks().DetachAsync(container, releaseAddress: true, ct);

    public Task<IReadOnlyList<string>> OwnersAsync(CancellationToken ct = default) => networks().ContainerOwnersAsync(ct);
}
