using Volt.Workloads.Cgroups;
using Volt.Workloads.Model;
using Volt.Workloads.Services;
using Volt.Workloads.Supervision;
using Volt.Workloads.Tests.Support;

namespace Volt.Workloads.Tests.Supervision;

/// <summary>voltd's own supervision (what <c>volt daemon</c> runs) against the contract, on this host.</summary>
public sealed class VoltdSupervisorContractTests : SupervisorContract
{
    private readonly List<ServiceRuntime> _runtimes = [];
    private readonly ICgroupDriver _cgroups;
    private readonly VoltdSupervisor _supervisor;

    public VoltdSupervisorContractTests()
    {
        _cgroups = CgroupDetector.Detect(Paths);
        _supervisor = New();
    }

    protected override IWorkloadSupervisor Supervisor => _supervisor;

    protected override IWorkloadSupervisor Reopen() => New();

    private VoltdSupervisor New()
    {
        var runtime = new ServiceRuntime(Store, new ServiceLauncher(_cgroups, Store.Paths.Lib));
        _runtimes.Add(runtime);
        return new VoltdSupervisor(runtime);
    }

    public override void Dispose()
    {
        foreach (var r in _runtimes) r.DisposeAsync().AsTask().GetAwaiter().GetResult();
        base.Dispose();
        foreach (var n in Store.Names())
        {
            var cg = ServiceStore.CgroupName(n);
            if (!_cgroups.Exists(cg)) continue;
            foreach (var p in _cgroups.Pids(cg)) Runtime.Native.Kill(p, Runtime.Native.SIGKILL);
            Thread.Sleep(50);
            try { _cgroups.Delete(cg); } catch (IOException) { }
        }
        CgroupCleanup.RemoveParent(Paths);
        Dir.Dispose();
    }
}
