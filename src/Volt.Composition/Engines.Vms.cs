using Volt.Daemon;
using Volt.Vms.Disks;
using Volt.Vms.Kernels;
using Volt.Vms.Machines;
using Volt.Vms.Qemu;
using Volt.Workloads.Services;

namespace Volt.Composition;

/// <summary>Voltvisor: kernel profiles, VM records and disks, and (inside voltd) the VM runtime.</summary>
public sealed partial class Engines
{
    public KernelStore KernelStore => Once(ref _kernelStore, () => new KernelStore(Paths));
    private KernelStore? _kernelStore;

    /// <summary>
    /// Kernel packages are downloaded into <c>VOLT_KERNEL_CACHE</c> (tests and CI: /var/cache/volt-test/kernels), else
    /// <c>/var/cache/volt/kernels</c>, and kept: a second <c>volt kernel add</c> downloads nothing.
    /// </summary>
    public KernelManager Kernels => Once(ref _kernels, () => new KernelManager(KernelStore, Processes,
        Environment.GetEnvironmentVariable("VOLT_KERNEL_CACHE") is { Length: > 0 } c ? c : Path.Combine(Paths.Cache, "kernels"), Time));
    private KernelManager? _kernels;

    public VmStore VmStore => Once(ref _vmStore, () => new VmStore(Paths));
    private VmStore? _vmStore;

    public VmEngine Vms => Once(ref _vms, () => new VmEngine(VmStore, KernelStore, new DiskBuilder(Paths, Images, Processes), Processes, Time));
    private VmEngine? _vms;

    public VmDriver VmDriver => Once(ref _vmDriver, () => new VmDriver(VmStore, () => Cgroups));
    private VmDriver? _vmDriver;

    public AccelProbe AccelProbe => Once(ref _accelProbe, () => new AccelProbe(Paths, Time, Logging.CreateLogger("Volt.Vms")));
    private AccelProbe? _accelProbe;

    /// <summary>voltd's VM runtime (QEMU processes under voltd's supervision).</summary>
    private VmRuntime VmRuntime(Microsoft.Extensions.Logging.ILoggerFactory logging) =>
        new(Vms, new ServiceLauncher(Cgroups, Paths.Lib, Time), new AccelProbe(Paths, Time, logging.CreateLogger("Volt.Vms")),
            new Adapters.VmNetworkAttacher(Networks), Time, logging);

    /// <summary>voltd, started on demand: VMs are started and stopped there (systemd: <c>systemctl</c> on volt-vm@NAME.service).</summary>
    public Task<DaemonClient> VmDaemonAsync(CancellationToken ct) => DaemonLauncher.ConnectAsync(Paths, DaemonSocket, ConfigFile, ct);
}
