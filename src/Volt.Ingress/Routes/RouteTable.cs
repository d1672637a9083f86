namespace Volt.Ingress.Routes;

/// <summary>
/// Which route answers a request, in the seed's order of specificity:
/// <list type="number">
/// <item>exact hostname + longest matching path prefix;</item>
/// <item>exact hostname without a path;</item>
/// <item>wildcard hostname + longest matching path prefix (a wildcard route without a path last).</item>
/// </list>
/// A prefix matches on segment boundaries (<c>/api</c> matches <c>/api</c>, <c>/api/x</c>, not <c>/apix</c>); a
/// wildcard <c>*.example.com</c> matches exactly one more label (<c>a.example.com</c>, not <c>a.b.example.com</c>
/// nor <c>example.com</c>), as a wildcard certificate does. Passthrough routes never answer HTTP: see
/// <see cref="ResolveSni"/>. Immutable: a reload builds a new table and swaps the reference.
/// </summary>
public sealed class RouteTable
{
    private readonly Dictionary<string, Entry> _exact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry> _wildcard = new(StringComparer.Ordinal); // key: the suffix after "*."

    public RouteTable(IEnumerable<IngressRoute> routes)
    {
        Routes = [.. routes.OrderBy(r => r.Name, StringComparer.Ordinal)];
        foreach (var r in Routes)
        {
            var map = r.IsWildcard ? _wildcard : _exact;
            var key = r.IsWildcard ? r.Hostname[2..] : r.Hostname;
            if (!map.TryGetValue(key, out var e)) map[key] = e = new Entry();
            if (r.Tls == TlsModes.Passthrough) e.Passthrough = r;
            else if (r.Path is null) e.NoPath = r;
            else e.Prefixed.Add(r);
        }
        foreach (var e in _exact.Values.Concat(_wildcard.Values))
            e.Prefixed.Sort((a, b) => b.Path!.Length.CompareTo(a.Path!.Length));
    }

    public static RouteTable Empty { get; } = new([]);

    public IReadOnlyList<IngressRoute> Routes { get; }

    private sealed class Entry
    {
        public readonly List<IngressRoute> Prefixed = [];
        public IngressRoute? NoPath;
        public IngressRoute? Passthrough;
    }

    /// <summary>The route for an HTTP request to <paramref name="host"/> (port and trailing dot ignored) and <paramref name="path"/>.</summary>
    public IngressRoute? Resolve(string host, string path)
    {
        var h = NormaliseHost(host);
        if (_exact.TryGetValue(h, out var exact))
        {
            var byPath = Longest(exact, path);
            if (byPath is not null) return byPath;
            if (exact.NoPath is not null) return exact.NoPath;
        }
        if (WildcardKey(h) is { } suffix && _wildcard.TryGetValue(suffix, out var wild))
            return Longest(wild, path) ?? wild.NoPath;
        return null;
    }

    /// <summary>The passthrough route for a TLS ClientHello's server name, exact before wildcard.</summary>
    public IngressRoute? ResolveSni(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName)) return null;
        var h = NormaliseHost(serverName);
        if (_exact.TryGetValue(h, out var e)) return e.Passthrough;
        return WildcardKey(h) is { } s && _wildcard.TryGetValue(s, out var w) ? w.Passthrough : null;
    }

    /// <summary>Whether any route terminates TLS for this name (so a certificate for it may be obtained).</summary>
    public bool HasAutoTls(string name) => Routes.Any(r => r.Tls == TlsModes.Auto && r.Hostname == name);

    private static IngressRoute? Longest(Entry e, string path)
    {
        foreach (var r in e.Prefixed)
            if (PrefixMatches(r.Path!, path)) return r;
        return null;
    }

    public static bool PrefixMatches(string prefix, string path) =>
        path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] == '/');

    private static string? WildcardKey(string h)
    {
        var dot = h.IndexOf('.');
        return dot > 0 ? h[(dot + 1)..] : null;
    }

    public static string NormaliseHost(string host)
    {
        var h = host;
        if (h.StartsWith('['))
        {
            var end = h.IndexOf(']');
            return end > 0 ? h[..(end + 1)] : h;
        }
        var colon = h.IndexOf(':');
        if (colon >= 0) h = h[..colon];
        return h.TrimEnd('.').ToLowerInvariant();
    }
}
