using Volt.Composition.Adapters;
using Volt.Daemon;
using Volt.Network;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Containers;
using Volt.Workloads.Networking;
using Volt.Workloads.Rootfs;
using Volt.Workloads.Runtime;
using Volt.Workloads.Supervision;

namespace Volt.Composition;

public sealed partial class Engines
{
    /// <summary>Volt's networks (<c>network.*</c> is the default one).</summary>
    public NetworkManager Networks => Once(ref _networks, () =>
    {
        var network = Config.Section<NetworkConfig>();
        return new NetworkManager(Paths, new NetworkOptions { DefaultBridge = network.Bridge, DefaultSubnet = network.Subnet }, Processes, Time);
    });
    private NetworkManager? _networks;

    /// <summary>The adapter that joins containers to <see cref="Networks"/>.</summary>
    public INetworkAttacher NetworkAttacher => Once(ref _attacher, () => new NetworkAttacher(() => Networks));
    private INetworkAttacher? _attacher;

    /// <summary>The adapter that gives containers their root filesystem: an image from <see cref="Images"/>, or a directory.</summary>
    public IRootfsProvider Rootfs => Once(ref _rootfs, () =>
        new ImageRootfsProvider(Paths, () => Images, new DirectoryRootfsProvider(Processes)));
    private IRootfsProvider? _rootfs;

    /// <summary>What the container engine runs on: detected cgroups, <see cref="Rootfs"/>, <see cref="NetworkAttacher"/>.</summary>
    public ContainerHost ContainerHost => Once(ref _host, () => new ContainerHost
    {
        Paths = Paths, Cgroups = Cgroups, Rootfs = Rootfs, Network = NetworkAttacher,
        Processes = Processes, Time = Time, Logging = Logging,
        DefaultNetwork = Config.Section<NetworkConfig>().EffectiveDefault,
    });
    private ContainerHost? _host;

    /// <summary>This host's cgroup hierarchy, detected on first use (<see cref="CgroupDetector"/>).</summary>
    public ICgroupDriver Cgroups => Once(ref _cgroups, () => CgroupDetector.Detect(Paths));
    private ICgroupDriver? _cgroups;

    public ContainerEngine Containers => Once(ref _containers, () => new ContainerEngine(ContainerHost));
    private ContainerEngine? _containers;

    /// <summary>Whether systemd supervises workloads (<c>supervisor:</c>, <c>auto</c> = systemd when it is PID 1).</summary>
    public bool SystemdSupervises => Config.Section<SupervisorConfig>().Resolve() == "systemd";

    /// <summary>voltd's socket: <c>VOLT_HOST</c>, else the one in <see cref="Paths"/>.</summary>
    public string DaemonSocket => DaemonOptions.Socket(Paths, VoltHost);

    /// <summary>
    /// voltd when it is the configured supervisor and already listening (connected: the first request reuses the
    /// connection); null otherwise. Nothing is started.
    /// </summary>
    public async Task<DaemonClient?> ListeningVoltdAsync(CancellationToken ct)
    {
        if (SystemdSupervises) return null;
        var client = new DaemonClient(DaemonSocket);
        if (await client.IsListeningAsync(ct).ConfigureAwait(false)) return client;
        client.Dispose();
        return null;
    }

    /// <summary>The supervisor config selects; voltd is started on demand.</summary>
    public async Task<ISupervisor> SupervisorAsync(CancellationToken ct)
    {
        if (SystemdSupervises) return new SystemdSupervisor(new ContainerStore(Paths), Processes, Time);
        return await DaemonLauncher.ConnectAsync(Paths, DaemonSocket, ConfigFile, ct).ConfigureAwait(false);
    }
}
