using Volt.Core.Errors;

namespace Volt.Workloads.Networking;

/// <summary>
/// Wires a container's network <em>before</em> its payload runs: a network namespace of its own (nspawn joins it with
/// <c>--network-namespace-path=</c>) attached to its network(s) and published ports, and the rootfs's resolv.conf.
/// A container without a network runs with nspawn's <c>--private-network</c> (loopback only) and never gets here.
/// </summary>
public interface INetworkAttacher
{
    /// <summary>The namespace file nspawn joins for <paramref name="container"/> (made by <see cref="AttachAsync"/>).</summary>
    string NetnsPath(string container);

    /// <summary>
    /// Makes the container's namespace and attaches it to <paramref name="network"/> (null = the default) with
    /// <paramref name="publish"/>, then to each of <paramref name="extraNetworks"/>; writes <c>/etc/resolv.conf</c>
    /// under <paramref name="rootfs"/>. Returns the container's IP address. A failure may leave part of it done: the
    /// caller undoes it with <see cref="DetachAsync"/>.
    /// </summary>
    Task<string?> AttachAsync(string container, string? network, IReadOnlyList<string> extraNetworks, IReadOnlyList<string> publish,
        string rootfs, CancellationToken ct = default);

    /// <summary>Releases the address, veth, port forwards and the namespace; idempotent.</summary>
    Task DetachAsync(string container, CancellationToken ct = default);

    /// <summary>Every container name the network holds something for (attachment, lease, <c>ctr:NAME</c> rule, namespace): for the orphan collector.</summary>
    Task<IReadOnlyList<string>> OwnersAsync(CancellationToken ct = default) => Task.FromResult<IReadOnlyList<string>>([]);
}

/// <summary>No networking engine: containers get loopback only; asking for a network or ports is an error.</summary>
public sealed class NoNetworkAttacher : INetworkAttacher
{
    public string NetnsPath(string container) => throw Unavailable(container, null);

    public Task<string?> AttachAsync(string container, string? network, IReadOnlyList<string> extraNetworks, IReadOnlyList<string> publish,
        string rootfs, CancellationToken ct = default) => throw Unavailable(container, network);

    private static VoltException Unavailable(string container, string? network) =>
        new(ExitCode.Dependency, $"container \"{container}\" asks for network \"{network ?? "volt0"}\" / published ports, but networking is not available in this build");

    public Task DetachAsync(string container, CancellationToken ct = default) => Task.CompletedTask;
}
