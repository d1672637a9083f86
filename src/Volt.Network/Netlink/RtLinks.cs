using System.Net;
using Volt.Core.Native;

namespace Volt.Network.Netlink;

/// <summary>
/// The link, address and route changes of a container start over rtnetlink, in-process: no <c>ip</c> process per step
/// (each cost 2–10 ms). "Host" is the namespace the engine manages (<paramref name="hostNetnsPath"/>: a test's or an
/// operator's <c>--netns</c>; null: the process's own). Each method is one step a caller can register an undo for and
/// throws <see cref="NetlinkException"/> with the kernel's errno.
/// </summary>
internal sealed class RtLinks(string? hostNetnsPath)
{
    private NetlinkSocket HostSocket(int protocol = LibC.NETLINK_ROUTE) => NetnsThread.Run(hostNetnsPath, () => NetlinkSocket.Open(protocol));

    /// <summary>The interface index of <paramref name="name"/> in the host namespace, null when there is none.</summary>
    public int? Index(string name)
    {
        using var s = HostSocket();
        return Index(s, name);
    }

    private static int? Index(NetlinkSocket s, string name)
    {
        try { return RtNetlink.LinkIndex(s.Query(RtNetlink.GetLinkByName(name), $"looking up link \"{name}\"")); }
        catch (NetlinkException e) when (e.Errno == Errno.ENODEV) { return null; }
    }

    /// <summary>Deletes a link of the host namespace (a veth's host end takes its peer with it); false when it was gone.</summary>
    public bool Delete(string name)
    {
        using var s = HostSocket();
        try { s.Ack(RtNetlink.DeleteLink(name), $"deleting link \"{name}\""); return true; }
        catch (NetlinkException e) when (e.Errno == Errno.ENODEV) { return false; }
    }

    /// <summary>A veth pair: <paramref name="hostEnd"/> up on <paramref name="bridge"/>, its peer <paramref name="inside"/>
    /// created in the namespace file <paramref name="targetNetnsPath"/>.</summary>
    public void CreateVeth(string hostEnd, string bridge, string targetNetnsPath, string inside, int mtu, string? mac)
    {
        using var s = HostSocket();
        var master = Index(s, bridge) ?? throw new NetlinkException(Errno.ENODEV, $"bridge \"{bridge}\" does not exist");
        var fd = NetnsThread.OpenNetns(targetNetnsPath);
        try { s.Ack(RtNetlink.Veth(hostEnd, mtu, master, inside, mac is null ? null : RtNetlink.Mac(mac), fd), $"creating veth \"{hostEnd}\""); }
        finally { LibC.close(fd); }
    }

    /// <summary>True when <paramref name="port"/> exists as a port of <paramref name="bridge"/>.</summary>
    public bool IsPortOf(string port, string bridge)
    {
        using var s = HostSocket();
        if (Index(s, bridge) is not { } master) return false;
        try { return RtNetlink.LinkMaster(s.Query(RtNetlink.GetLinkByName(port), $"looking up link \"{port}\"")) == master; }
        catch (NetlinkException e) when (e.Errno == Errno.ENODEV) { return false; }
    }

    /// <summary>A veth pair beside each other in the host namespace: <paramref name="port"/> up on <paramref name="bridge"/>,
    /// <paramref name="peer"/> up on nothing (without IPv6, so it sends the bridge no solicitations), so the port always
    /// has a carrier.</summary>
    public void CreateCarrierPair(string port, string peer, string bridge, int mtu)
    {
        using var s = HostSocket();
        var master = Index(s, bridge) ?? throw new NetlinkException(Errno.ENODEV, $"bridge \"{bridge}\" does not exist");
        s.Ack(RtNetlink.Veth(port, mtu, master, peer, null, null), $"creating veth \"{port}\" on \"{bridge}\"");
        if (Directory.Exists("/proc/sys/net/ipv6")) Sysctl($"net/ipv6/conf/{peer}/disable_ipv6", "1");
        s.Ack(RtNetlink.LinkUp(peer), $"bringing \"{peer}\" up");
    }

    /// <summary>The bridge's gateway address(es) (<c>replace</c>: idempotent; IPv6 <c>nodad</c>) and link up.</summary>
    /// <remarks>A bridge whose MAC is not <paramref name="mac"/> (made by a Volt before bridges had one of their own, and
    /// following its ports' since) gets it set: an address set explicitly never follows the ports again. Set only when it
    /// differs (each change notifies every listener of the link).</remarks>
    public void ConfigureBridge(string bridge, IPAddress gateway, int prefix, IPAddress? gateway6, int prefix6, byte[]? mac = null)
    {
        using var s = HostSocket();
        NetlinkMessage link;
        try { link = s.Query(RtNetlink.GetLinkByName(bridge), $"looking up link \"{bridge}\""); }
        catch (NetlinkException e) when (e.Errno == Errno.ENODEV) { throw new NetlinkException(Errno.ENODEV, $"bridge \"{bridge}\" does not exist"); }
        var index = RtNetlink.LinkIndex(link);
        if (mac is not null && RtNetlink.LinkMac(link) is { } have && !have.AsSpan().SequenceEqual(mac))
            s.Ack(RtNetlink.LinkAddress(bridge, mac), $"setting the MAC of \"{bridge}\"");
        s.Ack(RtNetlink.Address(index, gateway, prefix, replace: true), $"setting {gateway}/{prefix} on \"{bridge}\"");
        if (gateway6 is not null) s.Ack(RtNetlink.Address(index, gateway6, prefix6, replace: true, nodad: true), $"setting {gateway6}/{prefix6} on \"{bridge}\"");
        s.Ack(RtNetlink.LinkUp(bridge), $"bringing \"{bridge}\" up");
    }

    /// <summary>Inside the container's namespace: loopback up, the address(es) on <paramref name="inside"/>, up, and the
    /// default route(s) via the gateway(s) when <paramref name="defaultRoute"/>.</summary>
    public void ConfigureInside(string targetNetnsPath, string inside, IPAddress address, int prefix, IPAddress gateway,
        IPAddress? address6, int prefix6, IPAddress? gateway6, bool defaultRoute)
    {
        using var s = NetnsThread.Run(targetNetnsPath, () => NetlinkSocket.Open(LibC.NETLINK_ROUTE));
        s.Ack(RtNetlink.LinkUp("lo"), "bringing lo up");
        var index = Index(s, inside) ?? throw new NetlinkException(Errno.ENODEV, $"\"{inside}\" is not in the namespace");
        s.Ack(RtNetlink.Address(index, address, prefix, replace: false), $"adding {address}/{prefix} to {inside}");
        if (address6 is not null) s.Ack(RtNetlink.Address(index, address6, prefix6, replace: false, nodad: true), $"adding {address6}/{prefix6} to {inside}");
        s.Ack(RtNetlink.LinkUp(inside), $"bringing {inside} up");
        if (!defaultRoute) return;
        s.Ack(RtNetlink.DefaultRoute(index, gateway), $"adding the default route via {gateway}");
        if (gateway6 is not null) s.Ack(RtNetlink.DefaultRoute(index, gateway6), $"adding the default route via {gateway6}");
    }

    /// <summary>Writes a sysctl of the host namespace (<c>/proc/sys/net</c> is per network namespace: the writer's).
    /// <paramref name="key"/> is dotted (<c>net.ipv4.ip_forward</c>) or, when a part may hold a dot, slashed.</summary>
    public void Sysctl(string key, string value) =>
        NetnsThread.Run(hostNetnsPath, () =>
        {
            var path = "/proc/sys/" + (key.Contains('/') ? key : key.Replace('.', '/'));
            if (File.ReadAllText(path).Trim() != value) File.WriteAllText(path, value);
            return 0;
        });

    /// <summary>nftables' ruleset generation in the host namespace (null when it cannot be read): any committed change
    /// by anyone — <c>nft flush ruleset</c> included — gives a new one.</summary>
    public uint? NftGeneration()
    {
        try
        {
            using var s = HostSocket(LibC.NETLINK_NETFILTER);
            return RtNetlink.GenerationId(s.Query(RtNetlink.GetGeneration(), "reading the nftables generation"));
        }
        catch (NetlinkException) { return null; }
    }
}
