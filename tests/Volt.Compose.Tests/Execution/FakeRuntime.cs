using System.Collections.Concurrent;
using Volt.Compose.Execution;
using Volt.Compose.Planning;
using Volt.Core.Errors;

namespace Volt.Compose.Tests.Execution;

/// <summary>An in-memory runtime that records every call in order; health and exits are driven by the test.</summary>
internal sealed class FakeRuntime : IStackRuntime
{
    private readonly ConcurrentDictionary<string, (InstanceSpec Spec, InstanceStatus Status)> _instances = new();
    public ConcurrentQueue<string> Events { get; } = new();
    public HashSet<string> BadImages { get; } = [];
    /// <summary>Images whose instances exit with this code right after start.</summary>
    public Dictionary<string, int> ExitOnStart { get; } = [];
    /// <summary>Images whose health check passes at once (others stay starting until <see cref="SetHealth"/>).</summary>
    public HashSet<string> HealthyAtOnce { get; } = [];
    public HashSet<string> Networks { get; } = [];
    public HashSet<string> Volumes { get; } = [];
    /// <summary>Called on each create (a test may block one here).</summary>
    public Func<InstanceSpec, Task>? OnCreate { get; set; }

    public IReadOnlyList<string> Log => [.. Events];
    public InstanceSpec Spec(string name) => _instances[name].Spec;
    public IEnumerable<string> Names => _instances.Keys.Order();

    public void SetHealth(string name, InstanceHealth health) =>
        _instances.AddOrUpdate(name, _ => throw new InvalidOperationException(name), (_, v) => (v.Spec, v.Status with { Health = health }));

    public InstanceStatus Status(string instance) => _instances.TryGetValue(instance, out var v) ? v.Status : InstanceStatus.Missing;

    /// <summary>The images <c>PrepareImageAsync</c> was asked to rebuild (<c>up --build</c>).</summary>
    public ConcurrentQueue<string> Rebuilt { get; } = new();

    public Task<string?> PrepareImageAsync(InstanceSpec spec, bool rebuild, CancellationToken ct) =>
        rebuild && spec.Build is not null ? Rebuild(spec) : BadImages.Contains(spec.Image) ? throw VoltException.NotFound($"image \"{spec.Image}\" not found") : Task.FromResult<string?>("id-" + spec.Image);

    private Task<string?> Rebuild(InstanceSpec spec)
    {
        Rebuilt.Enqueue(spec.Image);
        return Task.FromResult<string?>($"id-{spec.Image}-build{Rebuilt.Count}");
    }

    public async Task CreateAsync(InstanceSpec spec, CancellationToken ct)
    {
        if (OnCreate is { } hook) await hook(spec);
        if (!_instances.TryAdd(spec.Name, (spec, new InstanceStatus(InstanceState.Created, InstanceHealth.None, null))))
            throw VoltException.Exists($"{spec.Name} exists");
        Events.Enqueue($"create {spec.Name}");
    }

    public Task StartAsync(string instance, CancellationToken ct)
    {
        var spec = _instances[instance].Spec;
        var status = ExitOnStart.TryGetValue(spec.Image, out var code)
            ? new InstanceStatus(InstanceState.Exited, InstanceHealth.None, code)
            : new InstanceStatus(InstanceState.Running, !spec.HasHealthcheck ? InstanceHealth.None : HealthyAtOnce.Contains(spec.Image) ? InstanceHealth.Healthy : InstanceHealth.Starting, null);
        _instances[instance] = (spec, status);
        Events.Enqueue($"start {instance}");
        return Task.CompletedTask;
    }

    public async Task StartUnannouncedAsync(string instance, CancellationToken ct)
    {
        await StartAsync(instance, ct);
        Events.Enqueue($"unannounced {instance}");
    }

    public Task AnnounceAsync(string instance, CancellationToken ct)
    {
        Events.Enqueue($"announce {instance}");
        return Task.CompletedTask;
    }

    public Task WithdrawAsync(string instance, CancellationToken ct)
    {
        Events.Enqueue($"withdraw {instance}");
        return Task.CompletedTask;
    }

    public Task StopAsync(string instance, TimeSpan grace, CancellationToken ct)
    {
        _instances[instance] = (_instances[instance].Spec, new InstanceStatus(InstanceState.Exited, InstanceHealth.None, 0));
        Events.Enqueue($"stop {instance}");
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string instance, CancellationToken ct)
    {
        _instances.TryRemove(instance, out _);
        Events.Enqueue($"remove {instance}");
        return Task.CompletedTask;
    }

    public Task<bool> EnsureNetworkAsync(StackNetwork network, CancellationToken ct) => Task.FromResult(Networks.Add(network.Name));
    public Task RemoveNetworkAsync(string network, CancellationToken ct) { Networks.Remove(network); Events.Enqueue($"rmnet {network}"); return Task.CompletedTask; }
    public bool EnsureVolume(string volume) => Volumes.Add(volume);
    public void RemoveVolume(string volume) => Volumes.Remove(volume);
}
