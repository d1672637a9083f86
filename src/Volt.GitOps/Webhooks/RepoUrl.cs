namespace Volt.GitOps.Webhooks;

/// <summary>
/// Repository identity across URL forms: <c>https://github.com/o/r(.git)</c>, <c>git@github.com:o/r.git</c>,
/// <c>ssh://git@github.com(:22)/o/r</c>, <c>git://github.com/o/r</c> all become <c>github.com/o/r</c>.
/// </summary>
public static class RepoUrl
{
    public static string Normalize(string url)
    {
        var s = url.Trim();
        var scheme = s.IndexOf("://", StringComparison.Ordinal);
        string host, path;
        if (scheme >= 0)
        {
            var rest = s[(scheme + 3)..];
            var slash = rest.IndexOf('/');
            host = slash < 0 ? rest : rest[..slash];
            path = slash < 0 ? "" : rest[(slash + 1)..];
        }
        else if (s.IndexOf(':') is var colon and > 0 && !s.StartsWith('/'))
        {
            host = s[..colon];
            path = s[(colon + 1)..];
        }
        else return s.TrimEnd('/').ToLowerInvariant();
        var at = host.LastIndexOf('@');
        if (at >= 0) host = host[(at + 1)..];
        var port = host.LastIndexOf(':');
        if (port > 0 && !host.EndsWith(']')) host = host[..port];
        path = path.Trim('/');
        if (path.EndsWith(".git", StringComparison.OrdinalIgnoreCase)) path = path[..^4];
        return (host + "/" + path).ToLowerInvariant();
    }

    public static bool Same(string a, string b) => Normalize(a) == Normalize(b);
}
