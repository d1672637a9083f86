using System.Net;
using Volt.Core.Errors;
using Volt.GitOps.Sources;

namespace Volt.GitOps.Hosting;

/// <summary>
/// The one check of <c>--port</c> / <c>--listen</c> that <c>gitops serve</c> and <c>gitops install-service</c> share:
/// what install-service writes into the unit is exactly what serve would accept.
/// </summary>
public static class ServeSettings
{
    public const int DefaultPort = 9090;
    public const string DefaultListen = "0.0.0.0";

    /// <summary>Returns the listen address as an IP (exit 2 for a port outside 1-65535 or a listen value that is not an IP address).</summary>
    public static IPAddress Validate(int port, string listen)
    {
        if (port is < 1 or > 65535) throw VoltException.Usage($"invalid --port {port}: must be 1-65535");
        if (string.IsNullOrWhiteSpace(listen) || listen.Length > 64 || !IPAddress.TryParse(listen, out var ip) || listen.Contains('%'))
            throw VoltException.Usage($"invalid --listen \"{SourceControl.Shown(listen ?? "", 40)}\": expected an IP address such as 0.0.0.0, 127.0.0.1 or ::");
        return ip;
    }
}
