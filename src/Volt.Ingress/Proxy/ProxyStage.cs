using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Volt.Ingress.Proxy;

/// <summary>
/// The first step of YARP's proxy pipeline: failover and plain error pages. A request without a body whose backend
/// refused the connection is sent to the next available backend (the failed one is already out, by
/// <see cref="PassiveFailures"/>); when none is left the client gets a 502 (or 503 with no backend at all, 504 on a
/// timeout) with a short plain-text page, never a hung or empty answer.
/// </summary>
internal static class ProxyStage
{
    public static async Task RunAsync(HttpContext http, Func<Task> next)
    {
        var proxy = http.Features.Get<IReverseProxyFeature>()!;
        var available = proxy.AvailableDestinations;
        var canRetry = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false
            && !http.Request.Headers.ContainsKey("Upgrade");
        List<DestinationState>? tried = null;
        while (true)
        {
            await next().ConfigureAwait(false);
            var error = http.Features.Get<IForwarderErrorFeature>();
            if (error is null || error.Error == ForwarderError.None) return;
            if (http.Response.HasStarted) return;
            if (error.Error == ForwarderError.Request && canRetry && proxy.ProxiedDestination is { } failed)
            {
                (tried ??= []).Add(failed);
                var rest = available.Where(d => !tried.Contains(d)).ToList();
                if (rest.Count > 0)
                {
                    http.Response.Clear();
                    http.Features.Set<IForwarderErrorFeature>(null);
                    proxy.AvailableDestinations = rest;
                    continue;
                }
            }
            var (status, text) = error.Error switch
            {
                ForwarderError.NoAvailableDestinations => (503, "No healthy backend is available for this route."),
                ForwarderError.RequestTimedOut => (504, "The backend did not answer in time."),
                _ => (502, "The backend could not be reached or failed to answer."),
            };
            http.Response.Clear();
            await IngressServer.Page(http, status, text).ConfigureAwait(false);
            return;
        }
    }
}
