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

    public static string Render(ContainerConfig c, IReadOnlyList<string> command, TimeSpan stopTimeout)
    {
        var sb = new StringBuilder();
        sb.Append("# Rendered by volt for container ").Append(c.Name).Append(". voltd runs the same ExecStart itself where systemd is not PID 1.\n");
        sb.Append("[Unit]\n");
        sb.Append("Description=Volt container ").Append(c.Name).Append('\n');
        sb.Append("Documentation=man:systemd-nspawn(1)\n");
        sb.Append("After=network.target\n\n");
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
