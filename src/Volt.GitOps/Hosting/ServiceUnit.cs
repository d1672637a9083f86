using System.Text;

namespace Volt.GitOps.Hosting;

/// <summary>The systemd unit <c>volt gitops install-service</c> writes (<c>/etc/systemd/system/volt-gitops.service</c>).</summary>
public static class ServiceUnit
{
    public const string FileName = "volt-gitops.service";

    public static string Render(string executable, int port, string listen, string? voltRoot)
    {
        var sb = new StringBuilder();
        sb.Append("[Unit]\n");
        sb.Append("Description=Volt GitOps webhook server and SVN poller\n");
        sb.Append("After=network-online.target\n");
        sb.Append("Wants=network-online.target\n\n");
        sb.Append("[Service]\n");
        sb.Append("Type=simple\n");
        if (voltRoot is not null) sb.Append("Environment=VOLT_ROOT=").Append(Quote(voltRoot)).Append('\n');
        sb.Append("ExecStart=").Append(Quote(executable)).Append($" gitops serve --port {port} --listen {listen}\n");
        sb.Append("Restart=on-failure\n");
        sb.Append("RestartSec=2\n");
        sb.Append("KillSignal=SIGTERM\n");
        sb.Append("TimeoutStopSec=60\n\n");
        sb.Append("[Install]\n");
        sb.Append("WantedBy=multi-user.target\n");
        return sb.ToString();
    }

    private static string Quote(string s) => s.Any(c => char.IsWhiteSpace(c) || c is '"' or '\\') ? "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"" : s;
}
