using Volt.Core.Errors;
using Volt.Mesh;
using Volt.Network;

namespace Volt.Composition.Adapters;

/// <summary>
/// The mesh's workload network over the network engine: Volt network <c>meshnet</c> (bridge volt-meshnet) with the
/// host's mesh /24, and firewall rule <c>mesh-in</c> letting the mesh CIDR reach it (the forward chain otherwise drops
/// what was not asked for from a bridge; matched after the user's rules). Traffic from meshnet to the mesh is routed,
/// not masqueraded, so rules by workload name work across hosts. Its attachments are what the agent publishes.
/// </summary>
internal sealed class MeshNetworkAdapter(Func<NetworkManager> networks) : IMeshNetwork
{
    public const string NetworkName = "meshnet";
    public const string RuleName = "mesh-in";

    public string Name => NetworkName;

    public string? WatchDir => networks().Store.AttachmentsDir;

    public async Task EnsureAsync(string subnet, string meshCidr, CancellationToken ct)
    {
        var net = networks();
        if (net.Store.TryGet(NetworkName) is { } existing)
        {
            if (existing.Subnet != subnet)
                throw VoltException.Conflict($"network \"{NetworkName}\" exists with subnet {existing.Subnet}, not this host's mesh subnet {subnet} (volt net delete {NetworkName} first)");
        }
        else await net.CreateAsync(NetworkName, subnet, ct: ct).ConfigureAwait(false);
        if (!net.Firewall.Rules().Any(r => r.Name == RuleName))
            await net.AddRuleAsync(RuleName, meshCidr, NetworkName, null, "allow", pending: false, ct: ct).ConfigureAwait(false);
        // Workloads keep their addresses toward the mesh (rules by name match them on the other host), and mesh-in
        // matches after the user's rules.
        if (!net.Routed().Any(r => r.Network == NetworkName && r.Cidr == meshCidr && r.DefaultAllow == RuleName))
            await net.SetRoutedAsync(NetworkName, meshCidr, RuleName, ct).ConfigureAwait(false);
    }

    public Task RemoteWorkloadsChangedAsync(CancellationToken ct) => networks().RemoteWorkloadsChangedAsync(ct);

    public async Task<bool> RemoveAsync(CancellationToken ct)
    {
        var net = networks();
        if (net.Routed().Any(r => r.Network == NetworkName)) await net.SetRoutedAsync(NetworkName, null, null, ct).ConfigureAwait(false);
        if (net.Firewall.Rules().Any(r => r.Name == RuleName)) await net.DeleteRuleAsync(RuleName, ct).ConfigureAwait(false);
        if (net.Store.TryGet(NetworkName) is null) return true;
        if (net.Store.Attachments().Any(a => a.Network == NetworkName)) return false;
        await net.DeleteAsync(NetworkName, ct).ConfigureAwait(false);
        return true;
    }

    public IReadOnlyList<WorkloadRecord> Local() =>
        [.. networks().Store.Attachments().Where(a => a.Network == NetworkName && !string.IsNullOrEmpty(a.Address))
            .Select(a => new WorkloadRecord(a.Container.ToLowerInvariant(), a.Address))];
}
