using Volt.Core.Processes;
using Volt.Workloads.Model;
using Volt.Workloads.Supervision;
using Xunit;

namespace Volt.Workloads.Tests.Supervision;

/// <summary>
/// The same contract against systemd, where it is PID 1: units stay in the test's units directory and are linked with
/// <c>systemctl link</c>. Skipped (the reason printed) on hosts whose PID 1 is not systemd, such as this one.
/// </summary>
public sealed class SystemdSupervisorContractTests : SupervisorContract
{
    private readonly SystemdWorkloadSupervisor _supervisor;

    public SystemdSupervisorContractTests()
    {
        // Not TestEnv.Require: a CI host without systemd as PID 1 lacks no capability, it is another kind of host.
        Assert.SkipUnless(Directory.Exists("/run/systemd/system"), "PID 1 is not systemd here (no /run/systemd/system): the systemd supervisor contract runs on systemd hosts");
        _supervisor = new SystemdWorkloadSupervisor(Store, new ProcessRunner(), TimeProvider.System);
    }

    protected override IWorkloadSupervisor Supervisor => _supervisor;

    protected override IWorkloadSupervisor Reopen() => new SystemdWorkloadSupervisor(Store, new ProcessRunner(), TimeProvider.System);

    public override void Dispose()
    {
        if (_supervisor is not null)
            foreach (var n in Store.Names())
            {
                try { _supervisor.StopAsync(WorkloadKind.Service, n).GetAwaiter().GetResult(); } catch (Core.Errors.VoltException) { }
                new ProcessRunner().RunAsync("systemctl", ["disable", n + ".service"]).GetAwaiter().GetResult();
            }
        base.Dispose();
        Dir.Dispose();
    }
}
