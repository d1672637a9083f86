using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Volt.Core.Paths;
using Volt.Core.Processes;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Containers;
using Volt.Workloads.Networking;
using Volt.Workloads.Rootfs;

namespace Volt.Workloads.Runtime;

/// <summary>The engines a container operation needs, resolved once (paths, store, cgroups, rootfs, network).</summary>
public sealed class ContainerHost
{
    public required VoltPaths Paths { get; init; }
    public required ICgroupDriver Cgroups { get; init; }
    public required IRootfsProvider Rootfs { get; init; }
    public INetworkAttacher Network { get; init; } = new NoNetworkAttacher();
    /// <summary>The network a container joins when created without <c>--network</c> (config <c>network.default</c>,
    /// the seed's <c>volt0</c>); null = none. Hosts built by hand (tests) have none.</summary>
    public string? DefaultNetwork { get; init; }
    public IProcessRunner Processes { get; init; } = new ProcessRunner();
    public TimeProvider Time { get; init; } = TimeProvider.System;
    public ILoggerFactory Logging { get; init; } = NullLoggerFactory.Instance;
    public ContainerStore Store => _store ??= new ContainerStore(Paths);
    private ContainerStore? _store;

    /// <summary>Stop timeout when none is given (busybox as PID 1 ignores SIGTERM, so this is often reached).</summary>
    public TimeSpan DefaultStopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The volt executable the systemd health-check service runs: this process when it is volt, else
    /// <c>VOLT_BINARY</c>, else <c>/usr/local/bin/volt</c> (where install.sh puts it).
    /// </summary>
    public string VoltBinary { get; init; } =
        Environment.GetEnvironmentVariable("VOLT_BINARY") is { Length: > 0 } b ? b
        : Environment.ProcessPath is { } p && Path.GetFileName(p) == "volt" ? p
        : "/usr/local/bin/volt";

    /// <summary>The cgroup group name: the container name (the driver adds the per-root parent).</summary>
    public static string CgroupName(string container) => container;

    public bool PrivateUsers => _privateUsers ??= Nspawn.NspawnFeatures.PrivateUsers(Paths);
    private bool? _privateUsers;

    /// <summary>The host's defaults: detected cgroups, directory rootfs, no network.</summary>
    public static ContainerHost Default(VoltPaths paths, IRootfsProvider? rootfs = null, INetworkAttacher? network = null) => new()
    {
        Paths = paths,
        Cgroups = CgroupDetector.Detect(paths),
        Rootfs = rootfs ?? new DirectoryRootfsProvider(new ProcessRunner()),
        Network = network ?? new NoNetworkAttacher(),
    };

    public ResourceLimits Limits(ContainerConfig c) => new(c.MemoryBytes, c.CpuPercent, c.Pids);
}
