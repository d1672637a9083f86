using System.Text.Json.Serialization;

namespace Volt.Ingress.Routes;

/// <summary>How a route's HTTPS side gets its certificate (docs/ingress.md).</summary>
public static class TlsModes
{
    /// <summary>No TLS setting: the route answers on the HTTP port (and on HTTPS with the placeholder certificate).</summary>
    public const string None = "none";
    public const string Auto = "auto";
    public const string Manual = "manual";
    public const string Passthrough = "passthrough";

    public static bool IsValid(string mode) => mode is None or Auto or Manual or Passthrough;
}

/// <summary>
/// One ingress route, <c>/etc/volt/ingress/&lt;name&gt;.json</c>. <see cref="Hostname"/> is lower-case, exact
/// (<c>app.example.com</c>) or a one-label wildcard (<c>*.example.com</c>); <see cref="Path"/> is null for "no path"
/// or a normalised prefix without a trailing slash (<c>/v1</c>). Backends are <c>host:port</c> or
/// <c>workload:port</c> as the user wrote them; they are resolved when the proxy loads the route.
/// </summary>
public sealed record IngressRoute
{
    public required string Name { get; init; }
    public required string Hostname { get; init; }
    public string? Path { get; init; }
    public required IReadOnlyList<string> Backends { get; init; }
    public string Tls { get; init; } = TlsModes.None;
    public string? Cert { get; init; }
    public string? Key { get; init; }
    public bool StripPrefix { get; init; }
    /// <summary>Active health check path (GET, 2xx = healthy); null = passive checks only.</summary>
    public string? Health { get; init; }
    public bool RedirectHttps { get; init; }
    /// <summary>Longest a backend may take to answer (default 100 s, as YARP's).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(100);
    public DateTimeOffset Created { get; init; }

    [JsonIgnore] public bool IsWildcard => Hostname.StartsWith("*.", StringComparison.Ordinal);

    /// <summary>What <c>list</c> shows for the host and path: <c>api.example.com/v1</c>.</summary>
    [JsonIgnore] public string Where => Hostname + (Path ?? "");
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IngressRoute))]
internal sealed partial class IngressJson : JsonSerializerContext;
