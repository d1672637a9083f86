using Volt.Core.Errors;

namespace Volt.Ingress.Routes;

/// <summary>The rules between routes (collisions, exit 9 naming the other route) and within one route (exit 2).</summary>
public static class RouteRules
{
    /// <summary>Checks one route's own settings (flags that do not go together).</summary>
    public static void CheckSelf(IngressRoute r)
    {
        if (r.Backends.Count == 0) throw VoltException.Usage("--backend is required (host:port or workload:port, comma-separated)");
        foreach (var b in r.Backends) RouteSyntax.Backend(b);
        if (!TlsModes.IsValid(r.Tls)) throw VoltException.Usage($"invalid --tls \"{RouteSyntax.Shown(r.Tls)}\": expected auto, manual or passthrough");
        if (r.Tls == TlsModes.Manual && (r.Cert is null || r.Key is null)) throw VoltException.Usage("--tls manual needs --cert FILE and --key FILE");
        if (r.Tls != TlsModes.Manual && (r.Cert is not null || r.Key is not null)) throw VoltException.Usage("--cert and --key go with --tls manual");
        if (r.Tls == TlsModes.Passthrough)
        {
            if (r.Path is not null) throw VoltException.Usage("--tls passthrough routes by hostname only (the proxy never sees the path): drop --path");
            if (r.StripPrefix || r.RedirectHttps || r.Health is not null) throw VoltException.Usage("--strip-prefix, --redirect-https and --health are HTTP settings: not with --tls passthrough");
        }
        if (r.StripPrefix && r.Path is null) throw VoltException.Usage("--strip-prefix needs --path");
        if (r.Tls == TlsModes.Auto && r.IsWildcard) throw VoltException.Usage("--tls auto cannot issue a wildcard certificate (HTTP-01 and TLS-ALPN-01 cannot prove one): use --tls manual");
        if (r.Health is not null) RouteSyntax.Path(r.Health, "--health");
        if (r.Timeout <= TimeSpan.Zero) throw VoltException.Usage("--timeout must be positive");
    }

    /// <summary>The route among <paramref name="others"/> that <paramref name="r"/> collides with, and why.</summary>
    public static (IngressRoute Other, string Why)? Collision(IngressRoute r, IEnumerable<IngressRoute> others)
    {
        foreach (var o in others)
        {
            if (o.Name == r.Name || o.Hostname != r.Hostname) continue;
            if (r.Tls == TlsModes.Passthrough || o.Tls == TlsModes.Passthrough)
            {
                if (r.Tls != TlsModes.None && o.Tls != TlsModes.None)
                    return (o, $"both decide TLS for {r.Hostname} and one passes it through");
                continue;
            }
            if (o.Path == r.Path) return (o, $"both route {r.Where}");
        }
        return null;
    }

    /// <summary>Every route's own rules and every pair's collisions, all problems at once (exit 12 for files, 9 for pairs).</summary>
    public static IReadOnlyList<string> Problems(IReadOnlyList<IngressRoute> routes)
    {
        var problems = new List<string>();
        for (int i = 0; i < routes.Count; i++)
        {
            try { CheckSelf(routes[i]); }
            catch (VoltException e) { problems.Add($"route {routes[i].Name}: {e.Message}"); }
            if (Collision(routes[i], routes.Take(i)) is { } c)
                problems.Add($"route {routes[i].Name} collides with route {c.Other.Name}: {c.Why}");
        }
        return problems;
    }
}
