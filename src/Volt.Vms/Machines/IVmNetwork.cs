namespace Volt.Vms.Machines;

/// <summary>A VM's place on a Volt network while it runs: the TAP device QEMU opens and the guest's address.</summary>
/// <param name="Address">IPv4 address from the network's IPAM.</param>
/// <param name="Prefix">Prefix length of the subnet.</param>
public sealed record VmNetAttachment(string Tap, string Address, int Prefix, string? Gateway)
{
    /// <summary>The named network namespace the TAP lives in (a test's); QEMU is started inside it.</summary>
    public string? Netns { get; init; }

    /// <summary>The kernel's <c>ip=</c> syntax, applied by Volt's initramfs: <c>client::gw:mask:host:eth0:off:dns0</c>, the
    /// DNS server being the gateway, where volt-dns answers the network's workload names (the initramfs writes it into
    /// the root's <c>/etc/resolv.conf</c>).</summary>
    public string KernelIp(string hostname)
    {
        var mask = Prefix == 0 ? 0u : uint.MaxValue << (32 - Prefix);
        var m = $"{mask >> 24}.{(mask >> 16) & 255}.{(mask >> 8) & 255}.{mask & 255}";
        return Gateway is null ? $"{Address}:::{m}:{hostname}:eth0:off" : $"{Address}::{Gateway}:{m}:{hostname}:eth0:off:{Gateway}";
    }
}

/// <summary>
/// How a VM gets onto a Volt bridge (src/Volt.Network's TAP attach behind an adapter in the composition root): a TAP
/// per VM on the network's bridge, an address from the same IPAM as containers, an attachment record of kind
/// <c>vm</c> (volt-dns sees it), published ports through the same nft DNAT.
/// </summary>
public interface IVmNetwork
{
    Task<VmNetAttachment> AttachAsync(VmConfig vm, CancellationToken ct);
    Task DetachAsync(VmConfig vm, CancellationToken ct);
}
