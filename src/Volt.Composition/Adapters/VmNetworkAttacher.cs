using Volt.Network;
using Volt.Network.Addressing;
using Volt.Vms.Machines;

namespace Volt.Composition.Adapters;

/// <summary>A VM's TAP on a Volt network through <see cref="NetworkManager"/> (the same IPAM, records and DNAT as containers).</summary>
public sealed class VmNetworkAttacher(NetworkManager networks) : IVmNetwork
{
    public async Task<VmNetAttachment> AttachAsync(VmConfig vm, CancellationToken ct)
    {
        var ports = vm.Publish.Select(PortMapping.Parse).ToList();
        var t = await networks.AttachTapAsync(vm.Name, vm.Network, ports, ct).ConfigureAwait(false);
        return new VmNetAttachment(t.Tap, t.Address, t.PrefixLength, t.Gateway) { Netns = t.Netns };
    }

    public Task DetachAsync(VmConfig vm, CancellationToken ct) => networks.DetachTapAsync(vm.Name, ct);
}
