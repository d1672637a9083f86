using Volt.Core.Errors;

namespace Volt.Workloads.Networking;

/// <summary>
/// Connects a running container's network namespace (that of <c>pid</c>) to a network and undoes it. nspawn always
/// starts with <c>--private-network</c>; the attacher adds the veth afterwards.
/// </summary>
public interface INetworkAttacher
{
    /// <summary>Returns the container's IP address (null when no network was asked for).</summary>
    Task<string?> AttachAsync(string container, string? network, int pid, IReadOnlyList<string> publish, CancellationToken ct = default);

    /// <summary>Releases the address, veth and port forwards; idempotent.</summary>
    Task DetachAsync(string container, CancellationToken ct = default);

    /// <summary>Every container name the network holds something for (attachment, lease, <c>ctr:NAME</c> rule): for the orphan collector.</summary>
    Task<IReadOnlyList<string>> OwnersAsync(CancellationToken ct = default) => Task.FromResult<IReadOnlyList<string>>([]);
}

/// <summary>No networking engine: containers get loopback only; asking for a network or ports is an error.</summary>
public sealed class NoNetworkAttacher : INetworkAttacher
{
    public Task<string?> AttachAsync(string container, string? network, int pid, IReadOnlyList<string> publish, CancellationToken ct = default)
    {
        if (network is not null || publish.Count > 0)
            throw new VoltException(ExitCode.Dependency, $"container \"{container}\" asks for network \"{network ?? "volt0"}\" / published ports, but networking is not available in this build");
        return Task.FromResult<string?>(null);
    }

    public Task DetachAsync(string container, CancellationToken ct = default) => Task.CompletedTask;
}
