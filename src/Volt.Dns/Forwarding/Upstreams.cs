using System.Globalization;
using System.Net;
using Volt.Core.Errors;

namespace Volt.Dns.Forwarding;

/// <summary>The resolvers volt-dns forwards to: configured ones, else the host's <c>/etc/resolv.conf</c> nameservers.</summary>
public static class Upstreams
{
    /// <summary>Parses <c>ADDR</c> or <c>ADDR:PORT</c> (<c>[v6]:PORT</c>); port 53 by default. Exit 2 when invalid.</summary>
    public static IPEndPoint Parse(string text, int defaultPort = 53)
    {
        if (IPAddress.TryParse(text, out var ip)) return new IPEndPoint(ip, defaultPort);
        if (IPEndPoint.TryParse(text, out var ep) && ep.Port > 0) return ep;
        throw VoltException.Usage($"invalid address \"{text}\": expected ADDR or ADDR:PORT (e.g. 10.0.0.1 or 127.0.0.1:5353)");
    }

    /// <summary>The <c>nameserver</c> lines of a resolv.conf text (IPv6 zone ids dropped, invalid lines skipped).</summary>
    public static IReadOnlyList<IPEndPoint> FromResolvConf(string text)
    {
        var list = new List<IPEndPoint>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith("nameserver", StringComparison.Ordinal)) continue;
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2) continue;
            var addr = parts[1].Split('%')[0];
            if (IPAddress.TryParse(addr, out var ip)) list.Add(new IPEndPoint(ip, 53));
        }
        return list;
    }

    /// <summary>
    /// What to forward to: <paramref name="configured"/> if any, else <paramref name="resolvConf"/>'s nameservers;
    /// minus volt-dns's own listen addresses (a host whose resolv.conf points at volt-dns must not loop).
    /// </summary>
    public static IReadOnlyList<IPEndPoint> Resolve(IReadOnlyList<string> configured, string resolvConf, IEnumerable<IPAddress> own)
    {
        var ownSet = own.ToHashSet();
        IEnumerable<IPEndPoint> list = configured.Count > 0 ? configured.Select(c => Parse(c))
            : File.Exists(resolvConf) ? FromResolvConf(File.ReadAllText(resolvConf)) : [];
        return [.. list.Where(e => !ownSet.Contains(e.Address) || e.Port != 53).Distinct()];
    }

    public static string Show(IPEndPoint e) => e.Port == 53 ? e.Address.ToString() : e.ToString();

    internal static string Port(int p) => p.ToString(CultureInfo.InvariantCulture);
}
