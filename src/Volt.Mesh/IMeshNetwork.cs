namespace Volt.Mesh;

/// <summary>
/// This host's workload network on the mesh (docs/mesh.md, "Workloads"): a Volt network whose subnet is the host's
/// mesh /24, with a firewall rule letting the mesh in, and the workloads attached to it (what the agent publishes to
/// etcd for volt-dns elsewhere). Implemented over the network engine in the composition root; null = no workloads.
/// </summary>
public interface IMeshNetwork
{
    /// <summary>The Volt network's name (containers join it with <c>--network</c>).</summary>
    string Name { get; }

    /// <summary>Where attachment files change (the agent republishes on a change there); null = poll only.</summary>
    string? WatchDir { get; }

    /// <summary>Creates the network with <paramref name="subnet"/> (exit 9 when one of that name has another subnet)
    /// and the rule letting <paramref name="meshCidr"/> in; nothing when both are there.</summary>
    Task EnsureAsync(string subnet, string meshCidr, CancellationToken ct);

    /// <summary>Removes the rule and the network; false (network kept) while workloads are attached.</summary>
    Task<bool> RemoveAsync(CancellationToken ct);

    /// <summary>The other hosts' workloads changed (written to the remote workloads file): firewall rules naming them
    /// follow their addresses.</summary>
    Task RemoteWorkloadsChangedAsync(CancellationToken ct);

    /// <summary>The workloads on the network now: name and address.</summary>
    IReadOnlyList<WorkloadRecord> Local();
}
