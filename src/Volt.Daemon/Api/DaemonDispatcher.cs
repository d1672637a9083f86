using Microsoft.AspNetCore.Http;
using Volt.Core.Errors;
using Volt.Core.Security;
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

    private readonly AccessGate _gate;

    public DaemonDispatcher(DaemonServices services, IReadOnlyList<DaemonRoute>? routes = null, AccessGate? gate = null)
    {
        _services = services;
        _gate = gate ?? new AccessGate(null);
        _routes = [.. routes ?? DaemonRoutes.All];
        for (var i = 0; i < _routes.Length; i++)
            for (var j = i + 1; j < _routes.Length; j++)
                if (_routes[i].Method == _routes[j].Method && _routes[i].Template.Overlaps(_routes[j].Template))
                    throw new ArgumentException($"routes {_routes[i].Name} ({_routes[i]}) and {_routes[j].Name} ({_routes[j]}) match the same requests");
    }

    private int _inFlight;
    private long _served;

    /// <summary>Requests being answered now (SIGUSR1's state dump).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);
    /// <summary>Requests answered since start.</summary>
    public long Served => Interlocked.Read(ref _served);

    public async Task HandleAsync(HttpContext http)
    {
        Interlocked.Increment(ref _inFlight);
        try { await HandleOneAsync(http).ConfigureAwait(false); }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            Interlocked.Increment(ref _served);
        }
    }

    private async Task HandleOneAsync(HttpContext http)
    {
        Caller? caller = null;
        string? audit = null;
        var resource = "";
        try
        {
            var (route, values) = Match(http.Request);
            var args = new RouteArgs(route.Template, values);
            caller = PeerCredentials.Of(http);
            audit = route.AuditFor(args);
            if (audit is not null) resource = route.Template.Parameters.Contains("name") ? args["name"] : "";
            await _gate.DemandAsync(caller, route.AccessFor(args), http.RequestAborted).ConfigureAwait(false);
            await route.InvokeAsync(_services, http, args).ConfigureAwait(false);
            if (audit is not null)
            {
                // The line is in the log before the answer leaves; its fdatasync (0.3-1 ms on these disks) after it,
                // so the caller does not wait for the flush (the client reads to the end of the body, not to EOF).
                using var pending = _gate.Begin(caller, audit, ResourceOf(http, resource), detail: http.Items.TryGetValue(DaemonRoute.AuditDetailKey, out var d) ? d as string : null);
                audit = null; // recorded: a client gone during the answer is not a second, failed, line
                try { await http.Response.CompleteAsync().ConfigureAwait(false); }
                catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException) { }
            }
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nothing to answer.
        }
        catch (Exception e)
        {
            if (audit is not null) _gate.Record(caller, audit, ResourceOf(http, resource), e);
            if (http.Response.HasStarted) { http.Abort(); return; }
            var body = HttpErrors.Serialize(HttpErrors.Body(e));
            http.Response.StatusCode = HttpErrors.StatusFor(e);
            http.Response.ContentType = "application/json";
            http.Response.ContentLength = body.Length;
            await http.Response.Body.WriteAsync(body).ConfigureAwait(false);
        }
    }

    private static string ResourceOf(HttpContext http, string fromPath) =>
        http.Items.TryGetValue(DaemonRoute.AuditResourceKey, out var r) && r is string s ? s : fromPath;

    private (DaemonRoute Route, string?[] Values) Match(HttpRequest request)
    {
        var path = request.Path.Value.AsSpan();
        var method = request.Method;
        foreach (var route in _routes)
            if (route.Method == method && route.Template.TryMatch(path, request.Query, out var values)) return (route, values);
        throw VoltException.NotFound($"no such daemon endpoint: {method} {request.Path}");
    }
}
