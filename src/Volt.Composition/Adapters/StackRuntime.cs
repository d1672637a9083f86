using System.Security.Cryptography;
using System.Text;
using Volt.Compose.Execution;
using Volt.Compose.Planning;
using Volt.Compose.Volumes;
using Volt.Core.Errors;
using Volt.Network;
using Volt.Network.Addressing;
using Volt.Workloads.Containers;
using Volt.Workloads.Health;

namespace Volt.Composition.Adapters;

/// <summary>
/// The orchestrator's runtime on this host: instances are containers of the container engine started by the
/// configured supervisor, networks are Volt networks (a free /24 from 10.89.0.0/16 when the file gives no subnet),
/// volumes are <see cref="VolumeStore"/> directories. The service name and aliases go into the container's
/// attachment record, where volt-dns answers them.
/// </summary>
public sealed partial class StackRuntime(Engines engines, string stack) : IStackRuntime
{
    private ContainerEngine Containers => engines.Containers;

    public InstanceStatus Status(string instance)
    {
        if (!Containers.Records.Exists(instance)) return HostStatus(instance);
        var v = Containers.View(instance);
        var health = v.Config?.Healthcheck is null ? InstanceHealth.None : v.Health?.Status switch
        {
            HealthStatus.Healthy => InstanceHealth.Healthy,
            HealthStatus.Unhealthy => InstanceHealth.Unhealthy,
            _ => InstanceHealth.Starting,
        };
        var state = v.Status switch
        {
            ContainerStatus.Running or ContainerStatus.Restarting => InstanceState.Running,
            ContainerStatus.Creating => InstanceState.Created,
            ContainerStatus.Failed => InstanceState.Failed,
            _ => v.State.StartedAt is null ? InstanceState.Created : InstanceState.Exited,
        };
        return new InstanceStatus(state, state == InstanceState.Running ? health : InstanceHealth.None, v.State.ExitCode);
    }

    public async Task<string?> PrepareImageAsync(InstanceSpec spec, bool rebuild, CancellationToken ct)
    {
        // A VM's image identity is its config digest too (a re-built image recreates it); services and tasks have none.
        if (spec.Kind == InstanceKinds.Vm) return engines.Images.TryGet(spec.Image) is { } vmImage ? vmImage.Record.ConfigDigest.ToString() : null;
        if (spec.Kind != InstanceKinds.Container) return null;
        if (spec.Build is { } build && ((rebuild && !Directory.Exists(spec.Image)) || (engines.Images.TryGet(spec.Image) is null && !Directory.Exists(spec.Image))))
            await BuildAsync(spec.Image, build, rebuild, ct).ConfigureAwait(false);
        else if (NeedsPull(spec.Image) is { } reference) await PullAsync(reference, ct).ConfigureAwait(false);
        var source = engines.Rootfs.Resolve(spec.Image);
        return source.Kind == "image" && engines.Images.TryGet(spec.Image) is { } img ? img.Record.ConfigDigest.ToString() : source.Source;
    }

    /// <summary>
    /// A reference that names its registry (<c>HOST[:PORT]/REPO[:TAG]</c>) and is not in the store yet; short
    /// Docker Hub names are not pulled (no implicit docker.io: build or pull them first).
    /// </summary>
    private Volt.Images.Oci.ImageReference? NeedsPull(string image)
    {
        if (image.StartsWith('/') || image.StartsWith('.') || Directory.Exists(image) || engines.Images.TryGet(image) is not null) return null;
        Volt.Images.Oci.ImageReference r;
        try { r = Volt.Images.Oci.ImageReference.Parse(image); }
        catch (VoltException) { return null; }
        return r.Registry is null ? null : r;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> Pulls = new(StringComparer.Ordinal);
    /// <summary>Images this runtime (one <c>up</c>) rebuilt already.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _built = new(StringComparer.Ordinal);

    /// <summary>One pull per reference even when several replicas or services name it.</summary>
    private async Task PullAsync(Volt.Images.Oci.ImageReference reference, CancellationToken ct)
    {
        var gate = Pulls.GetOrAdd(reference.ToString(), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (engines.Images.TryGet(reference.ToString()) is not null) return;
            using var source = new Volt.Images.Sources.RegistrySource(new Volt.Images.Distribution.RegistryClient(reference, null, insecure: false));
            await new Volt.Images.ImagePuller(engines.Cas.EnsureCreated()).PullAsync(source, reference, Volt.Images.Oci.Platform.Parse("linux/amd64"), null, ct).ConfigureAwait(false);
        }
        finally { gate.Release(); }
    }

    /// <summary>
    /// compose's <c>build:</c> when the store lacks the image (as <c>up</c> without <c>--build</c>): the context's
    /// Containerfile (or Dockerfile, or <c>dockerfile:</c> relative to the context) with Volt's image builder, tagged
    /// with the service's image name (<c>image:</c>, else <c>STACK-SERVICE:latest</c>). One build per image name.
    /// </summary>
    private async Task BuildAsync(string image, Volt.Compose.Model.BuildSpec build, bool rebuild, CancellationToken ct)
    {
        var gate = Pulls.GetOrAdd("build:" + image, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // Once per image name in this up: replicas and services sharing the image wait for the one build.
            if (rebuild ? !_built.TryAdd(image, 0) : engines.Images.TryGet(image) is not null) return;
            var request = new Volt.Images.Build.BuildRequest
            {
                Context = build.Context,
                File = build.Dockerfile is { } f ? Path.GetFullPath(f, build.Context) : null,
                Tags = [image], Target = build.Target,
                BuildArgs = build.Args.Select(kv => (kv.Key, Value: kv.Value ?? System.Environment.GetEnvironmentVariable(kv.Key)))
                    .Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!, StringComparer.Ordinal),
                Network = engines.BuildConfig.Network,
            };
            await engines.ImageBuilder.BuildAsync(request, null, ct).ConfigureAwait(false);
        }
        finally { gate.Release(); }
    }

    public async Task CreateAsync(InstanceSpec spec, CancellationToken ct)
    {
        if (spec.Kind != InstanceKinds.Container) { await CreateHostAsync(spec, ct).ConfigureAwait(false); return; }
        Containers.Create(Request(spec));
        foreach (var v in spec.Volumes)
        {
            var host = v.Split(':')[0];
            if (!Path.Exists(host)) Directory.CreateDirectory(host);
        }
        Aliases[spec.Name] = spec.Networks;
    }

    /// <summary>The container engine's request for an instance (<c>compose run</c> starts from it too).</summary>
    public CreateRequest Request(InstanceSpec spec) => new()
    {
        Name = spec.Name, Image = spec.Image, Command = spec.Command, Env = spec.Env, Volumes = spec.Volumes, Tmpfs = spec.Tmpfs, Publish = spec.Publish,
        Network = spec.Networks.Count > 0 ? spec.Networks[0].Network : "none",
        ExtraNetworks = [.. spec.Networks.Skip(1).Select(n => n.Network)],
        Sandbox = Sandbox(spec), Memory = spec.Memory, Cpu = spec.Cpu, Pids = spec.Pids,
        Restart = spec.Restart, Workdir = spec.Workdir, User = spec.User, Init = spec.Init,
        HealthCmd = spec.HealthCmd, HealthInterval = spec.HealthInterval, HealthTimeout = spec.HealthTimeout,
        HealthStartPeriod = spec.HealthStartPeriod, HealthRetries = spec.HealthRetries, NoHealthcheck = spec.NoHealthcheck,
    };

    /// <summary>The service's sandbox keys, checked as <c>volt run</c>'s flags are (null: the default sandbox).</summary>
    private Volt.Sandbox.SandboxSpec? Sandbox(InstanceSpec spec)
    {
        if (spec.CapAdd.Count + spec.CapDrop.Count + spec.SecurityOpt.Count + spec.Sandbox.Count == 0) return null;
        try
        {
            return Volt.Sandbox.SandboxSpec.FromCompose(spec.CapAdd, spec.CapDrop, spec.SecurityOpt, spec.Sandbox, engines.Paths.Etc);
        }
        catch (VoltException e)
        {
            throw new VoltException(e.Code == ExitCode.Usage ? ExitCode.InvalidConfig : e.Code, $"services.{spec.Service}: {e.Message}");
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<InstanceNetwork>> Aliases = new();

    public Task StartAsync(string instance, CancellationToken ct) => StartAsync(instance, announce: true, ct);

    public Task StartUnannouncedAsync(string instance, CancellationToken ct) => StartAsync(instance, announce: false, ct);

    private async Task StartAsync(string instance, bool announce, CancellationToken ct)
    {
        if (HostKind(instance) is { } kind) { await StartHostAsync(kind, instance, ct).ConfigureAwait(false); return; }
        var nets = Networks(instance);
        ClaimAddresses(instance, nets);
        var supervisor = await engines.SupervisorAsync(ct).ConfigureAwait(false);
        await supervisor.StartAsync(instance, ct).ConfigureAwait(false);
        if (announce) Announce(instance, nets);
    }

    public Task AnnounceAsync(string instance, CancellationToken ct)
    {
        if (HostKind(instance) is null) Announce(instance, Networks(instance));
        return Task.CompletedTask;
    }

    private IReadOnlyList<InstanceNetwork> Networks(string instance) =>
        Aliases.TryGetValue(instance, out var n) ? n : engines.ComposeState.TryLoad(stack)?.Instances.GetValueOrDefault(instance)?.Networks ?? [];

    /// <summary>DNS names: the service name and its aliases, on the network's attachment record (volt-dns reads these).</summary>
    private void Announce(string instance, IReadOnlyList<InstanceNetwork> nets)
    {
        foreach (var net in nets)
            if (engines.Networks.Store.TryGetAttachment(instance, net.Network) is { } rec)
                engines.Networks.Store.SaveAttachment(rec with { Aliases = net.Aliases });
    }

    /// <summary>
    /// <c>ipv4_address</c>: the network's IPAM pins that address to the instance before the start's attach asks for
    /// one, so every lease of it (restarts after an exit too) is that address and no other workload is given it.
    /// Held or pinned by another workload, or outside the network → exit 12 naming the service.
    /// </summary>
    private void ClaimAddresses(string instance, IReadOnlyList<InstanceNetwork> nets)
    {
        foreach (var net in nets)
        {
            if (net.Ipv4Address is not { } ip || engines.Networks.Store.TryGet(net.Network) is not { } rec) continue;
            var service = net.Aliases.Count > 0 ? net.Aliases[0] : instance;
            string? holder;
            try { holder = engines.Networks.Ipam(rec).Claim(instance, ip); }
            catch (VoltException e) { throw new VoltException(ExitCode.InvalidConfig, $"services.{service}.networks: ipv4_address {e.Message}"); }
            if (holder is not null)
                throw new VoltException(ExitCode.InvalidConfig, $"services.{service}.networks: ipv4_address {ip} on network \"{net.Network}\" is taken by \"{holder}\"");
        }
    }

    public Task WithdrawAsync(string instance, CancellationToken ct)
    {
        Aliases.TryRemove(instance, out _);
        foreach (var rec in engines.Networks.Store.AttachmentsOf(instance))
            if (rec.Aliases.Count > 0) engines.Networks.Store.SaveAttachment(rec with { Aliases = [] });
        return Task.CompletedTask;
    }

    public async Task StopAsync(string instance, TimeSpan grace, CancellationToken ct)
    {
        if (HostKind(instance) is { } kind) { await StopHostAsync(kind, instance, grace, ct).ConfigureAwait(false); return; }
        var supervisor = await engines.SupervisorAsync(ct).ConfigureAwait(false);
        try { await supervisor.StopAsync(instance, grace, ct).ConfigureAwait(false); }
        catch (VoltException e) when (e.Code == ExitCode.Daemon && !ct.IsCancellationRequested)
        {
            // voltd dropped the request (restarted, overloaded): a stop is idempotent, so ask the one running now.
            await (await engines.SupervisorAsync(ct).ConfigureAwait(false)).StopAsync(instance, grace, ct).ConfigureAwait(false);
        }
    }

    public async Task RemoveAsync(string instance, CancellationToken ct)
    {
        if (HostKind(instance) is { } kind) { await RemoveHostAsync(kind, instance, ct).ConfigureAwait(false); return; }
        await Containers.DeleteAsync(instance, ct).ConfigureAwait(false);
        // Its static addresses are free again (the pin outlives exits, not the instance).
        foreach (var net in engines.Networks.Store.List()) engines.Networks.Ipam(net).Unpin(instance);
    }

    public async Task<bool> EnsureNetworkAsync(StackNetwork network, CancellationToken ct)
    {
        if (network.External)
            return engines.Networks.Store.TryGet(network.Name) is not null ? false : throw VoltException.NotFound($"external network \"{network.Name}\" not found");
        if (engines.Networks.Store.TryGet(network.Name) is not null) return false;
        NetNames.ValidateNetwork(network.Name);
        await engines.Networks.CreateAsync(network.Name, network.Subnet ?? FreeSubnet(network.Name), new NetworkCreateOptions { Internal = network.Internal }, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>A /24 in 10.89.0.0/16 that overlaps no Volt network, starting from one picked by the name's hash.</summary>
    private string FreeSubnet(string name)
    {
        var taken = engines.Networks.List().Select(n => n.Cidr).ToList();
        var start = SHA256.HashData(Encoding.UTF8.GetBytes(name))[0];
        for (var i = 0; i < 256; i++)
        {
            var candidate = Ipv4Cidr.Parse($"10.89.{(start + i) % 256}.0/24");
            if (!taken.Any(t => t.Overlaps(candidate))) return candidate.ToString();
        }
        throw new VoltException(ExitCode.Resource, "no free /24 left in 10.89.0.0/16 for a stack network (give subnet: in the file)");
    }

    public async Task RemoveNetworkAsync(string network, CancellationToken ct)
    {
        if (engines.Networks.Store.TryGet(network) is null) return;
        await engines.Networks.DeleteAsync(network, ct).ConfigureAwait(false);
    }

    public bool EnsureVolume(string volume) => engines.Volumes.Create(volume, stack);

    public void RemoveVolume(string volume)
    {
        if (engines.Volumes.Exists(volume)) engines.Volumes.Remove(volume, engines.VolumeUsers(volume));
    }
}
