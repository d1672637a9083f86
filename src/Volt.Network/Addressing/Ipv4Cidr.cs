using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Volt.Core.Errors;

namespace Volt.Network.Addressing;

/// <summary>
/// An IPv4 subnet such as <c>10.0.0.0/24</c>. Volt networks are IPv4 only; the gateway is the first host
/// address, containers get the others (never the network or broadcast address).
/// </summary>
public readonly record struct Ipv4Cidr(uint Network, int PrefixLength)
{
    /// <summary>Smallest subnet Volt accepts (/8) and largest prefix (/29: gateway plus five hosts).</summary>
    public const int MinPrefix = 8, MaxPrefix = 29;

    public uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);
    public uint Broadcast => Network | ~Mask;
    public uint Gateway => Network + 1;
    public uint FirstHost => Network + 2;
    public uint LastHost => Broadcast - 1;

    /// <summary>Addresses a container can get (all hosts but the gateway).</summary>
    public long Capacity => (long)LastHost - FirstHost + 1;

    public bool Contains(uint address) => (address & Mask) == Network;

    public bool Overlaps(Ipv4Cidr other) => Contains(other.Network) || other.Contains(Network);

    public string GatewayText => Format(Gateway);

    public override string ToString() => $"{Format(Network)}/{PrefixLength}";

    /// <summary>Parses and validates a CIDR; exit 2 (usage) with the reason when it is not a usable subnet.</summary>
    public static Ipv4Cidr Parse(string text)
    {
        var slash = text.IndexOf('/');
        if (slash < 0 || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
            throw VoltException.Usage($"invalid subnet \"{text}\": expected IPv4 CIDR notation like 10.30.0.0/24");
        if (!TryParseAddress(text[..slash], out var addr))
            throw VoltException.Usage($"invalid subnet \"{text}\": \"{text[..slash]}\" is not an IPv4 address");
        if (prefix is < MinPrefix or > MaxPrefix)
            throw VoltException.Usage($"invalid subnet \"{text}\": prefix length must be from /{MinPrefix} to /{MaxPrefix}");
        var cidr = new Ipv4Cidr(addr & (uint.MaxValue << (32 - prefix)), prefix);
        if (cidr.Network != addr)
            throw VoltException.Usage($"invalid subnet \"{text}\": host bits are set (did you mean {cidr}?)");
        return cidr;
    }

    public static bool TryParseAddress(string text, out uint address)
    {
        address = 0;
        if (text.Count(c => c == '.') != 3 || !IPAddress.TryParse(text, out var ip) || ip.AddressFamily != AddressFamily.InterNetwork)
            return false;
        var b = ip.GetAddressBytes();
        address = (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
        return true;
    }

    public static uint ParseAddress(string text) =>
        TryParseAddress(text, out var a) ? a : throw VoltException.Usage($"\"{text}\" is not an IPv4 address");

    public static string Format(uint a) => $"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}";
}
