using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Volt.Core.Errors;

namespace Volt.Network.Addressing;

/// <summary>
/// A network's IPv6 subnet (<c>--subnet6 fd00:1::/64</c>, /48 to /120). The gateway and every workload's address reuse
/// the host part of their IPv4 address (10.0.0.1 → <c>…::1</c>, 10.0.0.7 → <c>…::7</c>), so IPv6 needs no allocator.
/// </summary>
public readonly record struct Ipv6Cidr(UInt128 Network, int PrefixLength)
{
    public static Ipv6Cidr Parse(string text)
    {
        var slash = text.IndexOf('/');
        if (slash < 0 || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
            || !IPAddress.TryParse(text[..slash], out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
            throw VoltException.Usage($"invalid --subnet6 \"{text}\": expected IPv6 CIDR notation like fd00:1::/64");
        if (prefix is < 48 or > 120) throw VoltException.Usage($"invalid --subnet6 \"{text}\": prefix length must be from /48 to /120");
        var value = ToUInt(ip);
        var mask = UInt128.MaxValue << (128 - prefix);
        if ((value & mask) != value) throw VoltException.Usage($"invalid --subnet6 \"{text}\": host bits are set");
        return new Ipv6Cidr(value, prefix);
    }

    /// <summary>A unique-local /64 derived from the network's name: <c>fdXX:XXXX:XXXX:XXXX::/64</c>.</summary>
    public static Ipv6Cidr UniqueLocal(string network)
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes("volt-net:" + network));
        UInt128 v = 0xfd;
        for (var i = 0; i < 7; i++) v = (v << 8) | h[i];
        return new Ipv6Cidr(v << 64, 64);
    }

    public bool Overlaps(Ipv6Cidr other)
    {
        var p = Math.Min(PrefixLength, other.PrefixLength);
        var mask = UInt128.MaxValue << (128 - p);
        return (Network & mask) == (other.Network & mask);
    }

    public string Host(uint offset) => Format(Network + offset);

    public string GatewayText => Host(1);

    public override string ToString() => $"{Format(Network)}/{PrefixLength}";

    private static UInt128 ToUInt(IPAddress ip)
    {
        UInt128 v = 0;
        foreach (var b in ip.GetAddressBytes()) v = (v << 8) | b;
        return v;
    }

    private static string Format(UInt128 v)
    {
        var bytes = new byte[16];
        for (var i = 15; i >= 0; i--) { bytes[i] = (byte)(v & 0xff); v >>= 8; }
        return new IPAddress(bytes).ToString();
    }
}
