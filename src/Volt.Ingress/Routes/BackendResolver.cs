using System.Globalization;
using System.Net;
using Volt.Network.State;

namespace Volt.Ingress.Routes;

/// <summary>
/// Turns a route's targets into addresses: <c>host:port</c> (an IP, <c>localhost</c> or a dotted DNS name) as
/// written; <c>workload:port</c> (a name without a dot) through Volt's network records, one address per instance:
/// every attachment whose workload is that name or a replica of it (<c>web-1</c>, <c>web-2</c>…). A workload with
/// no attachment yet resolves to nothing (the route answers 503 until it appears).
/// </summary>
public sealed class BackendResolver(Func<IReadOnlyList<AttachmentRecord>> attachments)
{
    public BackendResolver(NetworkStore store) : this(store.Attachments) { }

    /// <summary>Unresolved: no records consulted (tests, and hosts without Volt networking).</summary>
    public static BackendResolver Literal { get; } = new(() => []);

    public static bool IsWorkload(string host) =>
        !IPAddress.TryParse(host, out _) && host != "localhost" && !host.Contains('.');

    /// <summary>Every target of a route as <c>host:port</c> endpoints, in order, duplicates removed.</summary>
    public IReadOnlyList<string> Resolve(IEnumerable<string> targets)
    {
        IReadOnlyList<AttachmentRecord>? records = null;
        var result = new List<string>();
        foreach (var t in targets)
        {
            var (host, port) = RouteSyntax.Backend(t);
            var p = port.ToString(CultureInfo.InvariantCulture);
            if (!IsWorkload(host)) { result.Add(Endpoint(host, p)); continue; }
            records ??= attachments();
            foreach (var a in records.Where(a => IsInstance(a.Container, host)))
                result.Add(Endpoint(a.Address, p));
        }
        return [.. result.Distinct(StringComparer.Ordinal)];
    }

    private static bool IsInstance(string workload, string name) =>
        workload == name || (workload.Length > name.Length + 1 && workload.StartsWith(name, StringComparison.Ordinal)
            && workload[name.Length] == '-' && workload.AsSpan(name.Length + 1).IndexOfAnyExceptInRange('0', '9') < 0);

    private static string Endpoint(string host, string port) =>
        (host.Contains(':') ? "[" + host + "]" : host) + ":" + port;
}
