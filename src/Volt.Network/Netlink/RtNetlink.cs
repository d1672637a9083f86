using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Volt.Network.Netlink;

/// <summary>
/// The rtnetlink (and one nfnetlink) requests the container start needs, as bytes: what <c>ip link add … type veth
/// peer …</c>, <c>ip link set … up</c>, <c>ip addr add|replace</c>, <c>ip route replace default</c>, <c>ip link del</c>,
/// <c>ip link show</c> and nft's generation query send (uapi: linux/rtnetlink.h, if_link.h, if_addr.h, veth.h,
/// netfilter/nf_tables.h). Pure functions: unit-tested byte for byte.
/// </summary>
internal static class RtNetlink
{
    public const ushort NewLink = 16, DelLink = 17, GetLink = 18, NewAddr = 20, NewRoute = 24;
    public const ushort Request = 1, Ack = 4, Replace = 0x100, Excl = 0x200, Create = 0x400;
    public const ushort IflaAddress = 1, IflaIfname = 3, IflaMtu = 4, IflaMaster = 10, IflaLinkinfo = 18, IflaNetNsFd = 28;
    public const ushort IflaInfoKind = 1, IflaInfoData = 2, VethInfoPeer = 1;
    public const ushort IfaAddress = 1, IfaLocal = 2, IfaFlags = 8;
    public const ushort RtaGateway = 5, RtaOif = 4;
    public const uint IffUp = 1;
    public const byte IfaFNodad = 0x02;
    public const byte RtTableMain = 254, RtprotBoot = 3, RtScopeUniverse = 0, RtnUnicast = 1;
    /// <summary>nfnetlink: subsystem nftables (10) « 8 | NFT_MSG_GETGEN (16); the reply is NFT_MSG_NEWGEN (15).</summary>
    public const ushort NftGetGen = (10 << 8) | 16, NftNewGen = (10 << 8) | 15;
    public const ushort NftaGenId = 1;

    /// <summary><c>struct ifinfomsg</c> (16 bytes).</summary>
    public static byte[] IfInfo(int index = 0, uint flags = 0, uint change = 0)
    {
        var b = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), index);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), change);
        return b;
    }

    /// <summary>A veth pair: <paramref name="hostEnd"/> up on bridge <paramref name="masterIndex"/>, its peer
    /// <paramref name="peer"/> created straight in the namespace <paramref name="peerNetnsFd"/> (down, as ip leaves it;
    /// beside the host end when null).</summary>
    public static NetlinkWriter Veth(string hostEnd, int mtu, int masterIndex, string peer, byte[]? peerMac, int? peerNetnsFd)
    {
        var w = new NetlinkWriter(NewLink, Request | Ack | Create | Excl).Bytes(IfInfo(flags: IffUp, change: IffUp)).String(IflaIfname, hostEnd);
        if (mtu > 0) w.U32(IflaMtu, (uint)mtu);
        w.U32(IflaMaster, (uint)masterIndex)
         .Begin(IflaLinkinfo).String(IflaInfoKind, "veth")
           .Begin(IflaInfoData).Begin(VethInfoPeer).Bytes(IfInfo()).String(IflaIfname, peer);
        if (mtu > 0) w.U32(IflaMtu, (uint)mtu);
        if (peerMac is not null) w.Attr(IflaAddress, peerMac);
        if (peerNetnsFd is { } fd) w.U32(IflaNetNsFd, (uint)fd);
        return w.End().End().End();
    }

    /// <summary><c>ip link set dev NAME up</c> (by name: no index lookup first).</summary>
    public static NetlinkWriter LinkUp(string name) =>
        new NetlinkWriter(NewLink, Request | Ack).Bytes(IfInfo(flags: IffUp, change: IffUp)).String(IflaIfname, name);

    /// <summary><c>ip link set dev NAME address MAC</c>.</summary>
    public static NetlinkWriter LinkAddress(string name, byte[] mac) =>
        new NetlinkWriter(NewLink, Request | Ack).Bytes(IfInfo()).String(IflaIfname, name).Attr(IflaAddress, mac);

    /// <summary>The link-layer address (IFLA_ADDRESS) of an RTM_NEWLINK reply, null when it has none.</summary>
    public static byte[]? LinkMac(NetlinkMessage m)
    {
        foreach (var (type, value) in m.Attributes(16))
            if (type == IflaAddress) return value.ToArray();
        return null;
    }

    /// <summary>The index of the link's master (IFLA_MASTER: the bridge it is a port of), null when it has none.</summary>
    public static int? LinkMaster(NetlinkMessage m)
    {
        foreach (var (type, value) in m.Attributes(16))
            if (type == IflaMaster && value.Length >= 4) return BinaryPrimitives.ReadInt32LittleEndian(value.Span);
        return null;
    }

    /// <summary><c>ip link del dev NAME</c>.</summary>
    public static NetlinkWriter DeleteLink(string name) =>
        new NetlinkWriter(DelLink, Request | Ack).Bytes(IfInfo()).String(IflaIfname, name);

    /// <summary><c>ip link show dev NAME</c>: the reply is one RTM_NEWLINK (index, flags), or ENODEV.</summary>
    public static NetlinkWriter GetLinkByName(string name) =>
        new NetlinkWriter(GetLink, Request).Bytes(IfInfo()).String(IflaIfname, name);

    /// <summary><c>ip addr add|replace ADDR/PREFIX dev INDEX [nodad]</c> (IPv4 or IPv6 by the address).</summary>
    public static NetlinkWriter Address(int index, IPAddress address, int prefix, bool replace, bool nodad = false)
    {
        var six = address.AddressFamily == AddressFamily.InterNetworkV6;
        var hdr = new byte[8];
        hdr[0] = (byte)(six ? 10 : 2);
        hdr[1] = (byte)prefix;
        hdr[2] = nodad ? IfaFNodad : (byte)0;
        hdr[3] = RtScopeUniverse;
        BinaryPrimitives.WriteInt32LittleEndian(hdr.AsSpan(4), index);
        var bytes = address.GetAddressBytes();
        var w = new NetlinkWriter(NewAddr, (ushort)(Request | Ack | Create | (replace ? Replace : Excl))).Bytes(hdr)
            .Attr(IfaLocal, bytes).Attr(IfaAddress, bytes);
        if (nodad) w.U32(IfaFlags, IfaFNodad);
        return w;
    }

    /// <summary><c>ip route replace default via GATEWAY dev INDEX</c> in the main table.</summary>
    public static NetlinkWriter DefaultRoute(int index, IPAddress gateway)
    {
        var hdr = new byte[12];
        hdr[0] = (byte)(gateway.AddressFamily == AddressFamily.InterNetworkV6 ? 10 : 2);
        hdr[4] = RtTableMain;
        hdr[5] = RtprotBoot;
        hdr[6] = RtScopeUniverse;
        hdr[7] = RtnUnicast;
        return new NetlinkWriter(NewRoute, Request | Ack | Create | Replace).Bytes(hdr)
            .Attr(RtaGateway, gateway.GetAddressBytes()).U32(RtaOif, (uint)index);
    }

    /// <summary>nft's ruleset generation: one number that changes with every committed nftables transaction of the namespace.</summary>
    public static NetlinkWriter GetGeneration() => new NetlinkWriter(NftGetGen, Request).Bytes([0, 0, 0, 0]);

    /// <summary>The interface index of an RTM_NEWLINK reply.</summary>
    public static int LinkIndex(NetlinkMessage m) => BinaryPrimitives.ReadInt32LittleEndian(m.Payload.Span[4..]);

    /// <summary>The generation id of an NFT_MSG_NEWGEN reply (big-endian, as every nftables value).</summary>
    public static uint? GenerationId(NetlinkMessage m)
    {
        foreach (var (type, value) in m.Attributes(4))
            if (type == NftaGenId && value.Length >= 4) return BinaryPrimitives.ReadUInt32BigEndian(value.Span);
        return null;
    }

    /// <summary>The 6 bytes of a MAC written <c>02:76:0a:00:00:02</c>.</summary>
    public static byte[] Mac(string text) => [.. text.Split(':').Select(h => Convert.ToByte(h, 16))];
}
