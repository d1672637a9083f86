using System.Net.Security;
using Volt.Ingress.Routes;
using Volt.Ingress.Tls;

namespace Volt.Ingress.Proxy;

/// <summary>One loaded configuration: routes, their resolved backends, certificates. Swapped whole on reload.</summary>
internal sealed class IngressState(int generation, RouteTable table, CertificateStore certs, IReadOnlyDictionary<string, string> routeIds,
    IReadOnlyDictionary<string, IReadOnlyList<string>> endpoints)
{
    public int Generation { get; } = generation;
    public RouteTable Table { get; } = table;
    public CertificateStore Certs { get; } = certs;
    /// <summary>Route name → the YARP route id of this generation.</summary>
    public IReadOnlyDictionary<string, string> RouteIds { get; } = routeIds;
    /// <summary>Route name → resolved <c>host:port</c> backends.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Endpoints { get; } = endpoints;

    public IReadOnlyList<string>? Passthrough(string? serverName) =>
        Table.ResolveSni(serverName) is { } r && Endpoints.TryGetValue(r.Name, out var eps) ? eps : null;

    public SslStreamCertificateContext Certificate(string? serverName) => Certs.Select(serverName);
}
