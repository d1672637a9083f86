using System.Net;
using System.Net.Sockets;
using Volt.Core.Errors;

namespace Volt.Mesh;

/// <summary>
/// Where a mesh lives in etcd and how its address space is cut. Keys: <c>/volt/mesh/NAME/</c> +
/// <c>config</c>, <c>hosts/HOST</c>, <c>alloc/N</c>, <c>tokens/ID</c>, <c>removed/HOST</c>, <c>workloads/HOST</c>.
/// Addresses: host N (1, 2, …) gets mesh address BASE+N (the first /16 of the mesh CIDR holds host addresses) and
/// workload subnet BASE+65536+(N-1)*256 /24; one allocation key per N makes both distinct.
/// </summary>
public static class MeshLayout
{
    public const string DefaultCidr = "100.96.0.0/12";
    public const string DefaultName = "default";

    /// <summary>The prefix of the interface's address: host addresses fill the CIDR's first /16, so that is on-link;
    /// each peer's workload /24 is a route of its own (added and removed with the peer).</summary>
    public const int HostPrefix = 16;

    public static string Prefix(string mesh) => $"/volt/mesh/{mesh}/";
    public static string Config(string mesh) => Prefix(mesh) + "config";
    public static string Hosts(string mesh) => Prefix(mesh) + "hosts/";
    public static string Host(string mesh, string host) => Hosts(mesh) + host;
    public static string Allocs(string mesh) => Prefix(mesh) + "alloc/";
    public static string Alloc(string mesh, int n) => Allocs(mesh) + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
    public static string Token(string mesh, string id) => Prefix(mesh) + "tokens/" + id;
    public static string Removed(string mesh, string host) => Prefix(mesh) + "removed/" + host;
    public static string Workloads(string mesh) => Prefix(mesh) + "workloads/";

    /// <summary>Mesh and host names: DNS labels (1-63 of a-z, 0-9, '-', not starting or ending with '-').</summary>
    public static string ValidateName(string name, string what)
    {
        if (name.Length is < 1 or > 63 || name[0] == '-' || name[^1] == '-' || name.Any(c => !(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-')))
            throw VoltException.Usage($"invalid {what} \"{name}\": 1-63 lowercase letters, digits or '-' (a DNS label)");
        return name;
    }

    /// <summary>An IPv4 CIDR with prefix 8-15 (room for host addresses and /24 workload subnets).</summary>
    public static IPNetwork ParseCidr(string text)
    {
        if (!IPNetwork.TryParse(text, out var net) || net.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            throw VoltException.Usage($"invalid --cidr \"{text}\": expected an IPv4 network such as {DefaultCidr}");
        if (net.PrefixLength is < 8 or > 15) throw VoltException.Usage($"invalid --cidr \"{text}\": the prefix must be /8 to /15 (host addresses take a /16, each host a /24)");
        var written = IPAddress.Parse(text[..text.IndexOf('/')]);
        if (!written.Equals(Mask(written, net.PrefixLength))) throw VoltException.Usage($"invalid --cidr \"{text}\": host bits set");
        return net;
    }

    /// <summary>The largest host number this CIDR admits.</summary>
    public static int MaxHosts(IPNetwork net) => (int)Math.Min(65534, ((1L << (32 - net.PrefixLength)) - 65536) / 256);

    public static IPAddress HostAddress(IPNetwork net, int n) => Add(net.BaseAddress, n);

    public static IPNetwork Subnet(IPNetwork net, int n) => new(Add(net.BaseAddress, 65536 + (n - 1) * 256), 24);

    /// <summary>Whether two networks share any address.</summary>
    public static bool Overlaps(IPNetwork a, IPNetwork b) => a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress);

    private static IPAddress Add(IPAddress a, long n)
    {
        var b = a.GetAddressBytes();
        var v = ((uint)b[0] << 24 | (uint)b[1] << 16 | (uint)b[2] << 8 | b[3]) + (uint)n;
        return new IPAddress([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);
    }

    private static IPAddress Mask(IPAddress a, int prefix)
    {
        var b = a.GetAddressBytes();
        var v = (uint)b[0] << 24 | (uint)b[1] << 16 | (uint)b[2] << 8 | b[3];
        v &= prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
        return new IPAddress([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);
    }
}
