using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Volt.Ingress.Proxy;

/// <summary>
/// The proxy's last step, called straight from the request handler with the route Volt's table picked: YARP's
/// forwarder (<see cref="IHttpForwarder"/>) with the route's transforms and its cluster's HTTP client, request
/// settings (timeout) and available destinations (active and passive health). Round robin over the available
/// destinations; a backend that fails on live traffic is taken out (<see cref="PassiveFailures"/>); a request
/// without a body whose backend refused the connection goes to the next available one; when none is left the client
/// gets a 502 (503 with no backend at all, 504 on a timeout) with a short plain-text page, never a hung or empty
/// answer. This is what YARP's proxy pipeline (load balancing, passive health middleware) did, without the endpoint
/// routing and the middleware chain in front of every request.
/// </summary>
internal sealed class Forward(IHttpForwarder forwarder, IProxyStateLookup lookup, IPassiveHealthCheckPolicy passive)
{
    private readonly ConditionalWeakTable<ClusterState, StrongBox<int>> _next = [];

    /// <summary>What the access log records of a forwarded request.</summary>
    public sealed class Outcome
    {
        public string? Route;
        public string? Backend;
        /// <summary>The forwarder's error of the last attempt (null: answered).</summary>
        public string? Error;
    }

    public Task SendAsync(HttpContext http, string routeId, Outcome? outcome)
    {
        if (!lookup.TryGetRoute(routeId, out var route) || route.Cluster is not { } cluster)
            return Fail(http, ForwarderError.NoAvailableDestinations, outcome);
        var available = cluster.DestinationsState.AvailableDestinations;
        if (available.Count == 0) return Fail(http, ForwarderError.NoAvailableDestinations, outcome);
        return ForwardAsync(http, route, cluster, available, outcome);
    }

    private async Task ForwardAsync(HttpContext http, RouteModel route, ClusterState cluster, IReadOnlyList<DestinationState> available, Outcome? outcome)
    {
        var model = cluster.Model;
        var config = model.Config.HttpRequest ?? ForwarderRequestConfig.Empty;
        List<DestinationState>? tried = null;
        while (true)
        {
            var destination = Pick(cluster, available);
            if (outcome is not null) outcome.Backend = destination.Model.Config.Address;
            var error = await forwarder.SendAsync(http, destination.Model.Config.Address, model.HttpClient, config, route.Transformer).ConfigureAwait(false);
            if (error == ForwarderError.None)
            {
                if (outcome is not null) outcome.Error = null;
                return;
            }
            if (outcome is not null) outcome.Error = error.ToString();
            passive.RequestProxied(http, cluster, destination);
            if (http.Response.HasStarted) return;
            if (error == ForwarderError.Request && CanRetry(http))
            {
                (tried ??= []).Add(destination);
                var rest = available.Where(d => !tried.Contains(d)).ToList();
                if (rest.Count > 0)
                {
                    http.Response.Clear();
                    http.Features.Set<IForwarderErrorFeature>(null);
                    available = rest;
                    continue;
                }
            }
            await Fail(http, error, null).ConfigureAwait(false);
            return;
        }
    }

    private DestinationState Pick(ClusterState cluster, IReadOnlyList<DestinationState> available)
    {
        if (available.Count == 1) return available[0];
        var counter = _next.GetValue(cluster, _ => new StrongBox<int>());
        return available[(int)((uint)Interlocked.Increment(ref counter.Value) % (uint)available.Count)];
    }

    private static bool CanRetry(HttpContext http) =>
        http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false && !http.Request.Headers.ContainsKey("Upgrade");

    private static Task Fail(HttpContext http, ForwarderError error, Outcome? outcome)
    {
        if (outcome is not null) outcome.Error = error.ToString();
        var (status, text) = error switch
        {
            ForwarderError.NoAvailableDestinations => (503, "No healthy backend is available for this route."),
            ForwarderError.RequestTimedOut => (504, "The backend did not answer in time."),
            _ => (502, "The backend could not be reached or failed to answer."),
        };
        http.Response.Clear();
        return IngressServer.Page(http, status, text);
    }
}
