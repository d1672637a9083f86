using Microsoft.AspNetCore.Http;
using Volt.Core.Errors;
using Volt.Hosting;

namespace Volt.Daemon;

/// <summary>
/// voltd's one request handler: finds the declared <see cref="DaemonRoute"/> (method, then template), runs it, and
/// answers every failure with <see cref="ErrorResponse"/> at the status of <see cref="HttpErrors"/>. Matching is a
/// scan over a dozen rows comparing spans: a route that does not match allocates nothing.
/// </summary>
public sealed class DaemonDispatcher
{
    private readonly DaemonServices _services;
    private readonly DaemonRoute[] _routes;

    public DaemonDispatcher(DaemonServices services, IReadOnlyList<DaemonRoute>? routes = null)
    {
        _services = services;
        _routes = [.. routes ?? DaemonRoutes.All];
        for (var i = 0; i < _routes.Length; i++)
            for (var j = i + 1; j < _routes.Length; j++)
                if (_routes[i].Method == _routes[j].Method && _routes[i].Template.Overlaps(_routes[j].Template))
                    throw new ArgumentException($"routes {_routes[i].Name} ({_routes[i]}) and {_routes[j].Name} ({_routes[j]}) match the same requests");
    }

    public async Task HandleAsync(HttpContext http)
    {
        try
        {
            var (route, values) = Match(http.Request);
            await route.InvokeAsync(_services, http, new RouteArgs(route.Template, values)).ConfigureAwait(false);
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nothing to answer.
        }
        catch (Exception e)
        {
            if (http.Response.HasStarted) { http.Abort(); return; }
            var body = HttpErrors.Serialize(HttpErrors.Body(e));
            http.Response.StatusCode = HttpErrors.StatusFor(e);
            http.Response.ContentType = "application/json";
            http.Response.ContentLength = body.Length;
            await http.Response.Body.WriteAsync(body).ConfigureAwait(false);
        }
    }

    private (DaemonRoute Route, string?[] Values) Match(HttpRequest request)
    {
        var path = request.Path.Value.AsSpan();
        var method = request.Method;
        foreach (var route in _routes)
            if (route.Method == method && route.Template.TryMatch(path, request.Query, out var values)) return (route, values);
        throw VoltException.NotFound($"no such daemon endpoint: {method} {request.Path}");
    }
}
