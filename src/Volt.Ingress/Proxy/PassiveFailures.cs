using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Volt.Ingress.Proxy;

/// <summary>
/// Passive health: a backend that fails on live traffic (connection refused or reset, no response headers) is taken out at once for
/// the cluster's reactivation period; YARP's own rate policy needs ten failing requests in a minute first.
/// </summary>
internal sealed class PassiveFailures(IDestinationHealthUpdater updater, ILogger logger) : IPassiveHealthCheckPolicy
{
    public string Name => YarpConfig.PassivePolicy;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        var error = context.Features.Get<IForwarderErrorFeature>()?.Error ?? ForwarderError.None;
        // A slow answer is not a dead backend: timeouts answer 504 and leave it in.
        if (error is not (ForwarderError.Request or ForwarderError.ResponseHeaders)) return;
        var period = cluster.Model.Config.HealthCheck?.Passive?.ReactivationPeriod ?? TimeSpan.FromSeconds(10);
        IngressLog.PassiveFailure(logger, destination.Model.Config.Address, cluster.ClusterId, error.ToString(), period.TotalSeconds);
        updater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, period);
    }
}
