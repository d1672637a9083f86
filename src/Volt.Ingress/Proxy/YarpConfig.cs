using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Volt.Ingress.Routes;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Volt.Ingress.Proxy;

/// <summary>
/// Ingress routes as YARP routes and clusters. Volt resolves the route itself (<see cref="RouteTable"/>, the seed's
/// order, which ASP.NET's endpoint ordering cannot express for wildcards) and hands the request with the YARP route
/// id to <see cref="Forward"/>; YARP keeps what it is good at: per-route transforms, per-cluster HTTP clients and
/// request settings, active and passive health state. No request goes through endpoint routing, so the route match
/// below is only there because YARP requires one. <see cref="RouteHeader"/> (once the marker between the two) is
/// removed from every forwarded request, so no client can make a backend believe otherwise.
/// Ids carry a hash of the settings, so a changed route is a new id (the old one keeps serving requests resolved
/// before the swap) and an unchanged cluster keeps its id, and with it its health state, across reloads.
/// </summary>
internal static class YarpConfig
{
    public const string RouteHeader = "X-Volt-Ingress-Route";
    public const string PassivePolicy = "VoltConsecutiveTransportFailures";

    public sealed record Built(IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters, IReadOnlyDictionary<string, string> RouteIds);

    public static Built Build(IEnumerable<IngressRoute> routes, Func<IngressRoute, IReadOnlyList<string>> endpoints, HealthSettings health)
    {
        var yRoutes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var r in routes.Where(r => r.Tls != TlsModes.Passthrough))
        {
            var eps = endpoints(r);
            var clusterId = r.Name + "#" + Hash(string.Join(",", eps), r.Health ?? "", r.Timeout.Ticks.ToString(CultureInfo.InvariantCulture),
                health.Interval.Ticks.ToString(CultureInfo.InvariantCulture), health.Threshold.ToString(CultureInfo.InvariantCulture));
            var routeId = r.Name + "#" + Hash(clusterId, r.Path ?? "", r.StripPrefix ? "strip" : "");
            ids[r.Name] = routeId;
            var transforms = new List<IReadOnlyDictionary<string, string>>
            {
                new Dictionary<string, string> { ["RequestHeaderRemove"] = RouteHeader },
                new Dictionary<string, string> { ["RequestHeaderOriginalHost"] = "true" },
                new Dictionary<string, string> { ["X-Forwarded"] = "Set", ["HeaderPrefix"] = "X-Forwarded-" },
            };
            if (r.StripPrefix && r.Path is not null) transforms.Add(new Dictionary<string, string> { ["PathRemovePrefix"] = r.Path });
            yRoutes.Add(new RouteConfig
            {
                RouteId = routeId, ClusterId = clusterId,
                Match = new RouteMatch { Path = "/{**volt-ingress-path}" },
                Transforms = transforms,
            });
            var destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal);
            foreach (var ep in eps) destinations[ep] = new DestinationConfig { Address = "http://" + ep };
            clusters.Add(new ClusterConfig
            {
                ClusterId = clusterId, Destinations = destinations, LoadBalancingPolicy = "RoundRobin",
                HttpRequest = new ForwarderRequestConfig { ActivityTimeout = r.Timeout },
                HealthCheck = new HealthCheckConfig
                {
                    AvailableDestinationsPolicy = "HealthyAndUnknown",
                    Passive = new PassiveHealthCheckConfig { Enabled = true, Policy = PassivePolicy, ReactivationPeriod = health.Reactivation },
                    Active = r.Health is null ? null : new ActiveHealthCheckConfig
                    {
                        Enabled = true, Interval = health.Interval, Timeout = health.Timeout, Path = r.Health, Policy = "ConsecutiveFailures",
                    },
                },
                Metadata = new Dictionary<string, string> { ["ConsecutiveFailuresHealthPolicy.Threshold"] = health.Threshold.ToString(CultureInfo.InvariantCulture) },
            });
        }
        return new Built(yRoutes, clusters, ids);
    }

    private static string Hash(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", parts))))[..12];
}

/// <summary>Active health checks' cadence and thresholds, passive checks' reactivation (config <c>ingress.health.*</c>).</summary>
public sealed record HealthSettings
{
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Consecutive failed probes before a backend is taken out.</summary>
    public int Threshold { get; init; } = 2;
    /// <summary>How long a backend that failed on live traffic stays out before it is tried again.</summary>
    public TimeSpan Reactivation { get; init; } = TimeSpan.FromSeconds(10);
}
