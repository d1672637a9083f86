using System.Globalization;
using Volt.Units;
using Volt.Workloads.Containers;

namespace Volt.Workloads.Nspawn;

/// <summary>
/// Renders <c>volt-container@&lt;name&gt;.service</c> around the same command line voltd runs, with the limits as
/// systemd resource properties (systemd owns the cgroup when it supervises). Every unit goes through
/// <see cref="UnitFileBuilder"/>, the one writer of unit files, and so parses back with <see cref="UnitFile.Parse"/>.
/// </summary>
public static class UnitRenderer
{
    public static string UnitName(string container) => $"volt-container@{container}.service";

    /// <summary>The health check's timer and the oneshot service it fires.</summary>
    public static string HealthTimerName(string container) => $"volt-container-health@{container}.timer";
    public static string HealthServiceName(string container) => $"volt-container-health@{container}.service";
    public static IReadOnlyList<string> HealthUnitNames(string container) => [HealthTimerName(container), HealthServiceName(container)];

    public static string Render(ContainerConfig c, IReadOnlyList<string> command, TimeSpan stopTimeout) =>
        Build(c, command, stopTimeout).Render();

    /// <summary>The container's unit as a parsed <see cref="UnitFile"/>.</summary>
    public static UnitFile Build(ContainerConfig c, IReadOnlyList<string> command, TimeSpan stopTimeout)
    {
        var b = new UnitFileBuilder(UnitName(c.Name))
            .Comment($"Rendered by volt for container {c.Name}. voltd runs the same ExecStart itself where systemd is not PID 1.")
            .Section("Unit")
            .Add("Description", UnitQuoting.Specifiers($"Volt container {c.Name}"))
            .Add("Documentation", "man:systemd-nspawn(1)")
            .Add("After", "network.target");
        if (c.Healthcheck is not null) b.Add("Wants", HealthTimerName(c.Name));
        b.Section("Service")
            .Add("Type", "simple")
            .AddCommand("ExecStart", command)
            .Add("KillMode", "mixed")
            .Add("TimeoutStopSec", Number((long)Math.Ceiling(stopTimeout.TotalSeconds)))
            .Add("Restart", c.Restart switch { RestartPolicy.Always => "always", RestartPolicy.OnFailure => "on-failure", _ => "no" })
            .Add("Slice", "machine.slice")
            .Add("Delegate", "yes")
            .AddIf("MemoryMax", c.MemoryBytes is { } m ? Number(m) : null)
            .AddIf("CPUQuota", c.CpuPercent is { } cpu ? Number(cpu) + "%" : null)
            .AddIf("TasksMax", c.Pids is { } p ? Number(p) : null)
            .Add("StandardInput", "null")
            .Add("StandardOutput", "journal")
            .Add("StandardError", "journal")
            .Section("Install")
            .Add("WantedBy", "machines.target");
        return b.Build();
    }

    /// <summary>
    /// The timer of a container's health check: first check one interval after the container starts (Docker's
    /// schedule), then one interval after each check ends; pulled in by the container's unit (<c>Wants=</c>), stopped
    /// with it (<c>PartOf=</c>).
    /// </summary>
    public static string RenderHealthTimer(ContainerConfig c) => BuildHealthTimer(c).Render();

    public static UnitFile BuildHealthTimer(ContainerConfig c)
    {
        var check = c.Healthcheck ?? throw new ArgumentException("no health check", nameof(c));
        var every = UnitTimeSpan.Format(check.Interval);
        return new UnitFileBuilder(HealthTimerName(c.Name))
            .Comment($"Rendered by volt: the health check of container {c.Name} (voltd runs it itself where systemd is not PID 1).")
            .Section("Unit")
            .Add("Description", UnitQuoting.Specifiers($"Health check timer of Volt container {c.Name}"))
            .Add("PartOf", UnitName(c.Name))
            .Add("After", UnitName(c.Name))
            .Section("Timer")
            .Add("OnActiveSec", every)
            .Add("OnUnitInactiveSec", every)
            .Add("AccuracySec", UnitTimeSpan.Format(check.Interval < TimeSpan.FromSeconds(1) ? check.Interval : TimeSpan.FromSeconds(1)))
            .Build();
    }

    /// <summary>The oneshot the timer fires: <c>volt container healthcheck run NAME</c> (an unhealthy result, exit 1, is not a unit failure).</summary>
    public static string RenderHealthService(ContainerConfig c, string voltBinary, string? voltRoot) => BuildHealthService(c, voltBinary, voltRoot).Render();

    public static UnitFile BuildHealthService(ContainerConfig c, string voltBinary, string? voltRoot)
    {
        var check = c.Healthcheck ?? throw new ArgumentException("no health check", nameof(c));
        var b = new UnitFileBuilder(HealthServiceName(c.Name))
            .Comment($"Rendered by volt: one health check of container {c.Name}, fired by {HealthTimerName(c.Name)}.")
            .Section("Unit")
            .Add("Description", UnitQuoting.Specifiers($"Health check of Volt container {c.Name}"))
            .Add("Requisite", UnitName(c.Name))
            .Add("After", UnitName(c.Name))
            .Section("Service")
            .Add("Type", "oneshot");
        if (voltRoot is not null) b.Add("Environment", UnitQuoting.Environment("VOLT_ROOT", voltRoot));
        return b.AddCommand("ExecStart", [voltBinary, "container", "healthcheck", "run", c.Name])
            .Add("SuccessExitStatus", "1")
            .Add("TimeoutStartSec", UnitTimeSpan.Format(check.Timeout + TimeSpan.FromSeconds(30)))
            .Build();
    }

    /// <summary>systemd's command-line quoting (see <see cref="UnitQuoting.Quote"/>).</summary>
    public static string Quote(string arg) => UnitQuoting.Quote(arg);

    private static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);
}
