using Volt.Network;
using Volt.Network.Addressing;
using Volt.Workloads.Networking;

namespace Volt.Composition.Adapters;

/// <summary>Wires Volt.Network into the container engine: a veth on the bridge, an address from IPAM, port forwards.</summary>
internal sealed class NetworkAttacher(Func<NetworkManager> networks) : INetworkAttacher
{
    public async Task<string?> AttachAsync(string container, string? network, int pid, IReadOnlyList<string> publish, CancellationToken ct = default)
    {
        var a = await networks().AttachAsync(container, network, pid, PortMapping.ParseAll(publish), ct).ConfigureAwait(false);
        return a.Address;
    }

    public Task DetachAsync(string container, CancellationToken ct = default) => networks().DetachAsync(container, releaseAddress: true, ct);

    public Task<IReadOnlyList<string>> OwnersAsync(CancellationToken ct = default) => networks().ContainerOwnersAsync(ct);
}
