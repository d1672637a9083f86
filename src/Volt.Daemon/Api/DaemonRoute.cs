using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Volt.Core.Errors;
using Volt.Core.Security;

namespace Volt.Daemon;

/// <summary>No request body / no response body.</summary>
public sealed record Empty
{
    public static readonly Empty Value = new();
}

/// <summary>
/// One row of voltd's API (<see cref="DaemonRoutes"/>): method, path template, request and response types (their
/// source-generated JSON contracts; null for <see cref="Empty"/>), the success status, and the handler. The server's
/// dispatcher serves exactly the declared rows; the typed client can only call a declared row.
/// </summary>
public abstract class DaemonRoute
{
    private protected DaemonRoute(string name, string method, string template, int status, Func<RouteArgs, AccessLevel>? access,
        Func<RouteArgs, string?>? audit)
    {
        Name = name;
        Method = method;
        _templateText = template;
        Status = status;
        _access = access ?? (static _ => AccessLevel.Root);
        _audit = audit ?? (static _ => null);
    }

    private readonly Func<RouteArgs, AccessLevel> _access;
    private readonly Func<RouteArgs, string?> _audit;

    /// <summary>Who may call it (<see cref="AccessRules"/>); a row that says nothing is root's.</summary>
    public AccessLevel AccessFor(RouteArgs args) => _access(args);

    /// <summary>The audit action voltd records for the caller (<c>container.start</c>), null for calls that change nothing.</summary>
    public string? AuditFor(RouteArgs args) => _audit(args);

    /// <summary>The row's name (the field in <see cref="DaemonRoutes"/>), for errors and docs.</summary>
    public string Name { get; }
    public string Method { get; }
    /// <summary>
    /// The path template, parsed on first use: a CLI call formats one row's, and parsing all ~30 in the table's static
    /// constructor was a share of every call's start (voltd parses them all at start, where overlapping rows are refused).
    /// </summary>
    public RouteTemplate Template => _template ??= RouteTemplate.Parse(_templateText); // immutable: a racing second parse is harmless
    private readonly string _templateText;
    private RouteTemplate? _template;
    /// <summary>The status of a successful answer (200 with a body, 201/204 without).</summary>
    public int Status { get; }
    public abstract Type RequestType { get; }
    public abstract Type ResponseType { get; }

    public override string ToString() => $"{Method} {Template}";

    /// <summary>Where a route whose resource is in its body (not its path) leaves it for the audit line.</summary>
    internal const string AuditResourceKey = "volt.audit.resource";

    /// <summary>Where a route leaves its audit line's detail (a start's sandbox summary), set after the handler succeeded.</summary>
    internal const string AuditDetailKey = "volt.audit.detail";

    /// <summary>Reads the request, runs the handler, writes the answer (errors are the dispatcher's).</summary>
    internal abstract Task InvokeAsync(DaemonServices services, HttpContext http, RouteArgs args);
}

/// <inheritdoc />
public sealed class DaemonRoute<TRequest, TResponse> : DaemonRoute
{
    private readonly Func<DaemonServices, RouteArgs, TRequest, CancellationToken, Task<TResponse>> _handler;

    /// <param name="request">The request body's JSON contract (null: no body, <see cref="Empty"/>); resolved on first
    /// use, so that a CLI call builds the metadata of its own types only.</param>
    /// <param name="response">The same for the answer.</param>
    internal DaemonRoute(string name, string method, string template, Func<JsonTypeInfo<TRequest>>? request, Func<JsonTypeInfo<TResponse>>? response,
        Func<DaemonServices, RouteArgs, TRequest, CancellationToken, Task<TResponse>> handler, int? status = null,
        Func<RouteArgs, AccessLevel>? access = null, Func<RouteArgs, string?>? audit = null, Func<TRequest, string>? auditResource = null,
        Func<DaemonServices, RouteArgs, TRequest, string?>? auditDetail = null)
        : base(name, method, template, status ?? (response is null ? 204 : 200), access, audit)
    {
        if (request is null != (typeof(TRequest) == typeof(Empty)) || response is null != (typeof(TResponse) == typeof(Empty)))
            throw new ArgumentException($"route {name}: a body type needs its JSON contract, and Empty has none");
        if (response is null ? Status is not (201 or 202 or 204) : Status is not (200 or 201 or 202))
            throw new ArgumentException($"route {name}: status {Status} does not fit its response type");
        _request = request;
        _response = response;
        _handler = handler;
        _auditResource = auditResource;
        _auditDetail = auditDetail;
    }

    private readonly Func<TRequest, string>? _auditResource;
    private readonly Func<DaemonServices, RouteArgs, TRequest, string?>? _auditDetail;

    private readonly Func<JsonTypeInfo<TRequest>>? _request;
    private readonly Func<JsonTypeInfo<TResponse>>? _response;
    private JsonTypeInfo<TRequest>? _requestInfo;
    private JsonTypeInfo<TResponse>? _responseInfo;

    public JsonTypeInfo<TRequest>? Request => _request is null ? null : _requestInfo ??= _request();
    public JsonTypeInfo<TResponse>? Response => _response is null ? null : _responseInfo ??= _response();
    public override Type RequestType => typeof(TRequest);
    public override Type ResponseType => typeof(TResponse);

    internal override async Task InvokeAsync(DaemonServices services, HttpContext http, RouteArgs args)
    {
        var request = Request is null ? (TRequest)(object)Empty.Value
            : await JsonSerializer.DeserializeAsync(http.Request.Body, Request, http.RequestAborted).ConfigureAwait(false)
              ?? throw VoltException.Usage($"{Name}: empty request body");
        if (_auditResource is not null) http.Items[AuditResourceKey] = _auditResource(request);
        var response = await _handler(services, args, request, http.RequestAborted).ConfigureAwait(false);
        if (_auditDetail?.Invoke(services, args, request) is { } detail) http.Items[AuditDetailKey] = detail;
        http.Response.StatusCode = Status;
        if (Response is null)
        {
            // Framed (not ended by closing the connection): the client stops reading at the end of the answer.
            if (Status != 204) http.Response.ContentLength = 0;
            return;
        }
        var body = JsonSerializer.SerializeToUtf8Bytes(response, Response);
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body, http.RequestAborted).ConfigureAwait(false);
    }
}

/// <summary>A matched request's template arguments, by name.</summary>
public readonly struct RouteArgs(RouteTemplate template, string?[] values)
{
    /// <summary>A path parameter (always present once matched).</summary>
    public string this[string name] => Optional(name) ?? throw VoltException.Usage($"{template}: missing {{{name}}}");

    /// <summary>A query parameter, null when the request left it out.</summary>
    public string? Optional(string name)
    {
        var ps = template.Parameters;
        for (var i = 0; i < ps.Count; i++)
            if (ps[i] == name) return values[i];
        throw new ArgumentException($"route {template} has no parameter {{{name}}}", nameof(name));
    }

    /// <summary>A query parameter in seconds (<c>?timeout=2.5</c>), or <paramref name="fallback"/> when absent.</summary>
    public TimeSpan Seconds(string name, TimeSpan fallback) => Seconds(name) ?? fallback;

    /// <summary>A query parameter in seconds (<c>?timeout=2.5</c>), or null when absent.</summary>
    public TimeSpan? Seconds(string name) =>
        Optional(name) is not { } text ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0 && s <= int.MaxValue
            ? TimeSpan.FromSeconds(s)
            : throw VoltException.Usage($"invalid {name} \"{text}\": expected seconds");
}
