using Volt.Compose.Planning;

namespace Volt.Compose.Execution;

/// <summary>An instance as the runtime sees it.</summary>
public enum InstanceState { Missing, Created, Running, Exited, Failed }

/// <summary>Health of a running instance with a health check (None: it has none).</summary>
public enum InstanceHealth { None, Starting, Healthy, Unhealthy }

public sealed record InstanceStatus(InstanceState State, InstanceHealth Health, int? ExitCode)
{
    public static readonly InstanceStatus Missing = new(InstanceState.Missing, InstanceHealth.None, null);
}

/// <summary>
/// What the executor drives: the container engine and its supervisor, Volt's networks and volumes. The real one
/// lives in the composition root; unit tests use their own.
/// </summary>
public interface IStackRuntime
{
    InstanceStatus Status(string instance);
    /// <summary>Makes the image available (pull/build); returns its identity for the config hash, or null.
    /// <paramref name="rebuild"/> (<c>up --build</c>): a <c>build:</c> service's image is built even when the store has it.</summary>
    Task<string?> PrepareImageAsync(InstanceSpec spec, bool rebuild, CancellationToken ct);
    Task CreateAsync(InstanceSpec spec, CancellationToken ct);
    Task StartAsync(string instance, CancellationToken ct);
    /// <summary>Starts the instance without its service name and aliases in DNS (a start-first update's new instance
    /// until it is ready: a name must not lead to an instance that does not answer yet).</summary>
    Task StartUnannouncedAsync(string instance, CancellationToken ct) => StartAsync(instance, ct);
    /// <summary>The instance answers its service name and aliases in DNS (after <see cref="StartUnannouncedAsync"/>).</summary>
    Task AnnounceAsync(string instance, CancellationToken ct) => Task.CompletedTask;
    /// <summary>The instance stops answering its service name and aliases in DNS (it keeps running): a start-first
    /// update's old instance, before it drains and stops.</summary>
    Task WithdrawAsync(string instance, CancellationToken ct);
    Task StopAsync(string instance, TimeSpan grace, CancellationToken ct);
    Task RemoveAsync(string instance, CancellationToken ct);
    /// <summary>Creates the network if missing; true when this call created it.</summary>
    Task<bool> EnsureNetworkAsync(StackNetwork network, CancellationToken ct);
    Task RemoveNetworkAsync(string network, CancellationToken ct);
    /// <summary>Creates the volume directory if missing; true when this call created it.</summary>
    bool EnsureVolume(string volume);
    void RemoveVolume(string volume);
}

/// <summary>One step of an <c>up</c>, for the per-service progress lines.</summary>
public sealed record StackProgress(string Service, string Instance, string Phase, string? Detail = null);
