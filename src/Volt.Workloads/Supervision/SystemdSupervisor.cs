using Volt.Core.Errors;
using Volt.Core.Processes;
using Volt.Workloads.Containers;
using Volt.Workloads.Nspawn;

namespace Volt.Workloads.Supervision;

/// <summary>
/// Where systemd is PID 1: the rendered unit is linked into systemd (<c>systemctl link</c>), started and stopped with
/// <c>systemctl</c>; systemd owns the cgroup, the restart policy and the logs (journal). state.json records the
/// unit's main PID so <c>volt ps</c> reads the same way under both supervisors.
/// </summary>
public sealed class SystemdSupervisor(ContainerStore store, IProcessRunner runner, TimeProvider time) : ISupervisor
{
    public string Name => "systemd";

    public async Task StartAsync(string name, CancellationToken ct = default)
    {
        store.EnsureExists(name);
        var unit = UnitRenderer.UnitName(name);
        // The health check's timer and service (when the container has one) are linked with it; its Wants= starts the timer.
        var health = UnitRenderer.HealthUnitNames(name).Select(u => Path.Combine(store.Paths.Units, u)).Where(File.Exists);
        await Systemctl(ct, ["link", store.UnitFile(name), .. health]).ConfigureAwait(false);
        await Systemctl(ct, "start", unit).ConfigureAwait(false);
        var show = await runner.RunAsync("systemctl", ["show", "-p", "MainPID", "--value", unit], ct: ct).ConfigureAwait(false);
        int.TryParse(show.StdOut.Trim(), System.Globalization.CultureInfo.InvariantCulture, out var pid);
        store.Save(name, store.State(name) with
        {
            Status = ContainerStatus.Running, Pid = pid > 0 ? pid : null, Supervisor = Name, StartedAt = time.GetUtcNow(), Restart = null,
        });
    }

    public async Task StopAsync(string name, TimeSpan timeout, CancellationToken ct = default)
    {
        store.EnsureExists(name);
        await Systemctl(ct, "stop", UnitRenderer.UnitName(name)).ConfigureAwait(false);
        store.Save(name, store.State(name) with { Status = ContainerStatus.Stopped, Pid = null, FinishedAt = time.GetUtcNow(), Restart = null });
    }

    /// <summary>Unlinks the unit (delete).</summary>
    public Task DisableAsync(string name, CancellationToken ct = default) =>
        runner.RunAsync("systemctl", ["disable", UnitRenderer.UnitName(name)], ct: ct);

    private async Task Systemctl(CancellationToken ct, params string[] args)
    {
        var r = await runner.RunAsync("systemctl", args, ct: ct).ConfigureAwait(false);
        if (!r.Success)
            throw new VoltException(ExitCode.Daemon, $"Failed running systemctl {string.Join(' ', args)}: {r.StdErr.Trim()}");
    }
}
