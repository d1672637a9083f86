using Volt.Core.Errors;
using Volt.Workloads.Networking;

namespace Volt.Workloads.Tests.Support;

/// <summary>
/// A network engine whose attach fails as the real one does when a published port is taken (exit 9), optionally after
/// a delay (so a caller can be cancelled mid-attach). Counts detaches: the runtime must undo an attach it started.
/// </summary>
public sealed class FailingNetworkAttacher(TimeSpan? hang = null) : INetworkAttacher
{
    public int Detaches;

    /// <summary>Set when an attach begins (the runtime is past nspawn's launch and wiring the network).</summary>
    public TaskCompletionSource AttachStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string NetnsPath(string container) => "/run/netns/volt-test-never-made";

    public async Task<string?> AttachAsync(string container, string? network, IReadOnlyList<string> extraNetworks, IReadOnlyList<string> publish,
        string rootfs, CancellationToken ct = default)
    {
        AttachStarted.TrySetResult();
        if (hang is { } h) await Task.Delay(h, ct);
        throw VoltException.Conflict("host port 18999/tcp already in use on the host");
    }

    public Task DetachAsync(string container, CancellationToken ct = default)
    {
        Interlocked.Increment(ref Detaches);
        return Task.CompletedTask;
    }
}
