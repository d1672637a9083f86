using System.Globalization;
using System.Text;
using Volt.Workloads.Containers;

namespace Volt.Workloads.Nspawn;

/// <summary>
/// Renders <c>volt-container@&lt;name&gt;.service</c> around the same command line voltd runs, with the limits as
/// systemd resource properties (systemd owns the cgroup when it supervises).
/// </summary>
public static class UnitRenderer
{
    public static string UnitName(string container) => $"volt-container@{container}.service";

    /// <summary>The health check's timer and the oneshot service it fires.</summary>
    public static string HealthTimerName(string container) => $"volt-container-health@{container}.timer";
    public static string HealthServiceName(string container) => $"volt-container-health@{container}.service";
    public static IReadOnlyList<string> HealthUnitNames(string container) => [HealthTimerName(container), HealthServiceName(container)];

    public static string Render(ContainerConfig c, IReadOnlyList<string> command, TimeSpan stopTimeout)
    {
        var sb = new StringBuilder();
        sb.Append("# Rendered by volt for container ").Append(c.Name).Append(". voltd runs the same ExecStart itself where systemd is not PID 1.\n");
        sb.Append("[Unit]\n");
        sb.Append("Description=Volt container ").Append(c.Name).Append('\n');
        sb.Append("Documentation=man:systemd-nspawn(1)\n");
        sb.Append("After=network.target\n");
        if (c.Healthcheck is not null) sb.Append("Wants=").Append(HealthTimerName(c.Name)).Append('\n');
        sb.Append('\n');
        sb.Append("[Service]\n");
        sb.Append("Type=simple\n");
        sb.Append("ExecStart=").Append(string.Join(' ', command.Select(Quote))).Append('\n');
        sb.Append("KillMode=mixed\n");
        sb.Append("TimeoutStopSec=").Append(((int)Math.Ceiling(stopTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("Restart=").Append(c.Restart switch { RestartPolicy.Always => "always", RestartPolicy.OnFailure => "on-failure", _ => "no" }).Append('\n');
        sb.Append("Slice=machine.slice\n");
        sb.Append("Delegate=yes\n");
        if (c.MemoryBytes is { } m) sb.Append("MemoryMax=").Append(m.ToString(CultureInfo.InvariantCulture)).Append('\n');
        if (c.CpuPercent is { } cpu) sb.Append("CPUQuota=").Append(cpu.ToString(CultureInfo.InvariantCulture)).Append("%\n");
        if (c.Pids is { } p) sb.Append("TasksMax=").Append(p.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("StandardInput=null\n");
        sb.Append("StandardOutput=journal\n");
        sb.Append("StandardError=journal\n\n");
        sb.Append("[Install]\n");
        sb.Append("WantedBy=machines.target\n");
        return sb.ToString();
    }

    /// <summary>
    /// The timer of a container's health check: first check one interval after the container starts (Docker's
    /// schedule), then one interval after each check ends; pulled in by the container's unit (<c>Wants=</c>), stopped
    /// with it (<c>PartOf=</c>).
    /// </summary>
    public static string RenderHealthTimer(ContainerConfig c)
    {
        var check = c.Healthcheck ?? throw new ArgumentException("no health check", nameof(c));
        var every = Seconds(check.Interval);
        var sb = new StringBuilder();
        sb.Append("# Rendered by volt: the health check of container ").Append(c.Name).Append(" (voltd runs it itself where systemd is not PID 1).\n");
        sb.Append("[Unit]\n");
        sb.Append("Description=Health check timer of Volt container ").Append(c.Name).Append('\n');
        sb.Append("PartOf=").Append(UnitName(c.Name)).Append('\n');
        sb.Append("After=").Append(UnitName(c.Name)).Append("\n\n");
        sb.Append("[Timer]\n");
        sb.Append("OnActiveSec=").Append(every).Append('\n');
        sb.Append("OnUnitInactiveSec=").Append(every).Append('\n');
        sb.Append("AccuracySec=").Append(Seconds(check.Interval < TimeSpan.FromSeconds(1) ? check.Interval : TimeSpan.FromSeconds(1))).Append('\n');
        return sb.ToString();
    }

    /// <summary>The oneshot the timer fires: <c>volt container healthcheck run NAME</c> (an unhealthy result, exit 1, is not a unit failure).</summary>
    public static string RenderHealthService(ContainerConfig c, string voltBinary, string? voltRoot)
    {
        var check = c.Healthcheck ?? throw new ArgumentException("no health check", nameof(c));
        var sb = new StringBuilder();
        sb.Append("# Rendered by volt: one health check of container ").Append(c.Name).Append(", fired by ").Append(HealthTimerName(c.Name)).Append(".\n");
        sb.Append("[Unit]\n");
        sb.Append("Description=Health check of Volt container ").Append(c.Name).Append('\n');
        sb.Append("Requisite=").Append(UnitName(c.Name)).Append('\n');
        sb.Append("After=").Append(UnitName(c.Name)).Append("\n\n");
        sb.Append("[Service]\n");
        sb.Append("Type=oneshot\n");
        if (voltRoot is not null) sb.Append("Environment=").Append(Quote("VOLT_ROOT=" + voltRoot)).Append('\n');
        sb.Append("ExecStart=").Append(string.Join(' ', new[] { voltBinary, "container", "healthcheck", "run", c.Name }.Select(Quote))).Append('\n');
        sb.Append("SuccessExitStatus=1\n");
        sb.Append("TimeoutStartSec=").Append(Seconds(check.Timeout + TimeSpan.FromSeconds(30))).Append('\n');
        return sb.ToString();
    }

    /// <summary>A systemd time span in milliseconds (exact for sub-second intervals).</summary>
    private static string Seconds(TimeSpan d) => ((long)Math.Ceiling(d.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "ms";

    /// <summary>
    /// systemd's command-line quoting: double quotes with C escapes where needed, <c>%</c> → <c>%%</c> (specifiers)
    /// and <c>$</c> → <c>$$</c> (environment expansion).
    /// </summary>
    public static string Quote(string arg)
    {
        var escaped = arg.Replace("%", "%%").Replace("$", "$$");
        var needsQuotes = escaped.Length == 0 || escaped.Any(ch => char.IsWhiteSpace(ch) || ch is '"' or '\'' or '\\' or ';');
        if (!needsQuotes) return escaped;
        var sb = new StringBuilder("\"");
        foreach (var ch in escaped)
        {
            sb.Append(ch switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ => ch.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }
}
