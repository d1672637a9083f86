using System.Globalization;
using Volt.Core.Errors;

namespace Volt.Network.Addressing;

/// <summary>
/// One <c>--publish [IP:]HOST:CTR[/tcp|/udp]</c> forward: traffic to <see cref="HostPort"/> on any host address
/// (including loopback), or only on <see cref="HostIp"/> when given, reaches <see cref="ContainerPort"/> on the container's address.
/// </summary>
public sealed record PortMapping(int HostPort, int ContainerPort, string Protocol = "tcp")
{
    /// <summary>The one host IPv4 address the port is published on (<c>127.0.0.1:8080:80</c>); null = every local address.</summary>
    public string? HostIp { get; init; }

    /// <summary>Parses <c>8080:80</c>, <c>8080:80/tcp</c> or <c>5353:53/udp</c>; exit 2 on anything else.</summary>
    public static PortMapping Parse(string text)
    {
        var spec = text.Trim();
        var proto = "tcp";
        var slash = spec.IndexOf('/');
        if (slash >= 0)
        {
            proto = spec[(slash + 1)..].ToLowerInvariant();
            spec = spec[..slash];
            if (proto is not ("tcp" or "udp")) throw Bad(text, $"protocol \"{proto}\" is not tcp or udp");
        }
        var parts = spec.Split(':');
        if (parts.Length == 3)
        {
            if (!System.Net.IPAddress.TryParse(parts[0], out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || parts[0].Count(c => c == '.') != 3)
                throw Bad(text, $"\"{parts[0]}\" is not an IPv4 address");
            return new PortMapping(Port(parts[1], text), Port(parts[2], text), proto) { HostIp = ip.ToString() };
        }
        if (parts.Length != 2) throw Bad(text, "expected [IP:]HOST:CONTAINER");
        return new PortMapping(Port(parts[0], text), Port(parts[1], text), proto);
    }

    /// <summary>Parses every spec and rejects the same host port and protocol published twice.</summary>
    public static IReadOnlyList<PortMapping> ParseAll(IEnumerable<string> specs)
    {
        var list = specs.Select(Parse).ToList();
        Validate(list);
        return list;
    }

    public static void Validate(IReadOnlyList<PortMapping> ports)
    {
        foreach (var p in ports)
            if (p.Protocol is not ("tcp" or "udp") || p.HostPort is < 1 or > 65535 || p.ContainerPort is < 1 or > 65535)
                throw Bad(p.ToString(), "ports must be 1-65535 and the protocol tcp or udp");
        var dup = ports.GroupBy(p => (p.HostPort, p.Protocol)).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw VoltException.Usage($"host port {dup.Key.HostPort}/{dup.Key.Protocol} is published more than once");
    }

    public override string ToString() => $"{(HostIp is null ? "" : HostIp + ":")}{HostPort}:{ContainerPort}/{Protocol}";

    private static int Port(string s, string text) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535
            ? p : throw Bad(text, $"\"{s}\" is not a port from 1 to 65535");

    private static VoltException Bad(string text, string why) => VoltException.Usage($"invalid --publish \"{text}\": {why}");
}
