using Microsoft.Extensions.Logging;

namespace Volt.Ingress.Proxy;

/// <summary>The proxy's own log lines (event ids 15000-15999, docs/logging.md); requests go to the access log.</summary>
internal static partial class IngressLog
{
    [LoggerMessage(EventId = 15001, Level = LogLevel.Information, Message = "Ingress listening on {Http} (HTTP) and {Https} (HTTPS), {Routes} route(s)")]
    public static partial void Listening(ILogger logger, string http, string https, int routes);

    [LoggerMessage(EventId = 15002, Level = LogLevel.Information, Message = "Reloaded ({Reason}): {Routes} route(s), generation {Generation}")]
    public static partial void Reloaded(ILogger logger, string reason, int routes, int generation);

    [LoggerMessage(EventId = 15003, Level = LogLevel.Error, Message = "Reload ({Reason}) refused, the running configuration is kept: {Problem}")]
    public static partial void ReloadRefused(ILogger logger, string reason, string problem);

    [LoggerMessage(EventId = 15004, Level = LogLevel.Warning, Message = "Route {Route}: {Message}")]
    public static partial void RouteWarning(ILogger logger, string route, string message);

    [LoggerMessage(EventId = 15005, Level = LogLevel.Information, Message = "{Area}: {Message}")]
    public static partial void Info(ILogger logger, string area, string message);

    [LoggerMessage(EventId = 15006, Level = LogLevel.Warning, Message = "Backend {Backend} of route {Route} failed on live traffic ({Error}): out for {Seconds} s")]
    public static partial void PassiveFailure(ILogger logger, string backend, string route, string error, double seconds);

    [LoggerMessage(EventId = 15007, Level = LogLevel.Warning, Message = "Route {Route}: no certificate yet for {Host}, serving the self-signed placeholder until ACME issues one")]
    public static partial void Placeholder(ILogger logger, string route, string host);

    [LoggerMessage(EventId = 15008, Level = LogLevel.Information, Message = "ACME: {Message}")]
    public static partial void Acme(ILogger logger, string message);

    [LoggerMessage(EventId = 15009, Level = LogLevel.Error, Message = "ACME: {Host}: {Message}; retrying in {Retry}")]
    public static partial void AcmeFailed(ILogger logger, string host, string message, TimeSpan retry);
}
