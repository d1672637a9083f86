using System.Globalization;
using System.Net;
using Volt.Core.Errors;

namespace Volt.Ingress.Routes;

/// <summary>The syntax of names, hostnames, paths and backends (usage errors, exit 2, naming the option).</summary>
public static class RouteSyntax
{
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 63 && char.IsAsciiLetterOrDigit(name[0])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public static string Name(string name)
    {
        if (!IsValidName(name)) throw VoltException.Usage($"invalid --name \"{Shown(name)}\": use 1-63 letters, digits, '-', '_' or '.', starting with a letter or digit");
        return name;
    }

    /// <summary>An exact DNS name or <c>*.</c> + DNS name, lower-cased.</summary>
    public static string Hostname(string host)
    {
        var h = host.Trim().TrimEnd('.').ToLowerInvariant();
        var dns = h.StartsWith("*.", StringComparison.Ordinal) ? h[2..] : h;
        if (!IsDnsName(dns) || (h.StartsWith("*.", StringComparison.Ordinal) && !dns.Contains('.')))
            throw VoltException.Usage($"invalid --hostname \"{Shown(host)}\": expected a DNS name (app.example.com) or a wildcard of one label (*.example.com)");
        return h;
    }

    public static bool IsDnsName(string h)
    {
        if (h.Length is 0 or > 253) return false;
        foreach (var label in h.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-') return false;
            if (!label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')) return false;
        }
        return true;
    }

    /// <summary>A path prefix: null for none (or "/"), else "/a/b" without a trailing slash.</summary>
    public static string? Path(string? path, string option = "--path")
    {
        if (path is null) return null;
        if (path.Length > 1024 || !path.StartsWith('/') || path.Any(c => c <= ' ' || c is '?' or '#' or '\\' or (char)127)
            || path.Split('/').Any(s => s is "." or ".."))
            throw VoltException.Usage($"invalid {option} \"{Shown(path)}\": expected an absolute URL path such as /api (no query, '..' or spaces)");
        var p = path.TrimEnd('/');
        while (p.Contains("//", StringComparison.Ordinal)) p = p.Replace("//", "/", StringComparison.Ordinal);
        return p.Length == 0 ? null : p;
    }

    /// <summary>Splits <c>host:port</c>, <c>[v6]:port</c> or <c>workload:port</c>.</summary>
    public static (string Host, int Port) Backend(string target)
    {
        var t = target.Trim();
        int colon = t.LastIndexOf(':');
        string host = colon > 0 ? t[..colon] : "";
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (colon <= 0 || !int.TryParse(t.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535
            || !(IPAddress.TryParse(host, out _) || IsDnsName(host.ToLowerInvariant()) || IsWorkloadName(host)))
            throw VoltException.Usage($"invalid --backend \"{Shown(target)}\": expected host:port or workload:port (web:8080, 127.0.0.1:9090)");
        return (IPAddress.TryParse(host, out _) ? host : host.ToLowerInvariant(), port);
    }

    /// <summary>A workload name (containers allow '_', DNS does not).</summary>
    public static bool IsWorkloadName(string s) =>
        s.Length is > 0 and <= 63 && char.IsAsciiLetterOrDigit(s[0]) && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    internal static string Shown(string? s) => s is null ? "" : s.Length > 60 ? s[..60] + "…" : new string([.. s.Select(c => char.IsControl(c) ? '?' : c)]);
}
