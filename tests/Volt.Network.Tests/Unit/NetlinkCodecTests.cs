using System.Net;
using Shouldly;
using Volt.Network.Netlink;
using Xunit;

namespace Volt.Network.Tests.Unit;

/// <summary>The rtnetlink/nfnetlink requests, byte for byte as the uapi headers lay them out, and the reply parser.</summary>
public sealed class NetlinkCodecTests
{
    private static byte[] Hex(string s) => Convert.FromHexString(s.Replace(" ", "").Replace("\n", ""));

    [Fact]
    public void Link_up_by_name_is_newlink_with_iff_up_in_flags_and_change_and_the_padded_name()
    {
        RtNetlink.LinkUp("lo").ToArray(1).ShouldBe(Hex(
            "28000000 1000 0500 01000000 00000000" +
            "00000000 00000000 01000000 01000000" +
            "0700 0300 6c6f0000"));
    }

    [Fact]
    public void An_ipv4_address_add_carries_local_and_address_and_is_create_excl()
    {
        RtNetlink.Address(5, IPAddress.Parse("10.0.0.2"), 24, replace: false).ToArray(1).ShouldBe(Hex(
            "28000000 1400 0506 01000000 00000000" +
            "02180000 05000000" +
            "0800 0200 0a000002" +
            "0800 0100 0a000002"));
    }

    [Fact]
    public void An_ipv6_nodad_replace_sets_the_flag_byte_and_ifa_flags()
    {
        var m = RtNetlink.Address(3, IPAddress.Parse("fd00::1"), 64, replace: true, nodad: true).ToArray(9);
        m.Length.ShouldBe(16 + 8 + 20 + 20 + 8);
        m.AsSpan(4, 4).ToArray().ShouldBe(Hex("1400 0505"));
        m.AsSpan(16, 8).ToArray().ShouldBe(Hex("0a400200 03000000"));
        m.AsSpan(16 + 8 + 20 + 20).ToArray().ShouldBe(Hex("0800 0800 02000000"));
    }

    [Fact]
    public void The_default_route_is_main_table_boot_protocol_unicast_with_gateway_and_oif()
    {
        RtNetlink.DefaultRoute(5, IPAddress.Parse("10.0.0.1")).ToArray(1).ShouldBe(Hex(
            "2c000000 1800 0505 01000000 00000000" +
            "02000000 fe030001 00000000" +
            "0800 0500 0a000001" +
            "0800 0400 05000000"));
    }

    [Fact]
    public void A_veth_nests_linkinfo_data_and_peer_with_padded_lengths()
    {
        RtNetlink.Veth("vh", 1500, 7, "eth0", RtNetlink.Mac("02:76:0a:00:00:02"), 9).ToArray(1).ShouldBe(Hex(
            "88000000 1000 0506 01000000 00000000" +
            "00000000 00000000 01000000 01000000" +
            "0700 0300 76680000" +
            "0800 0400 dc050000" +
            "0800 0a00 07000000" +
            "5000 1200" +
            "  0900 0100 76657468 00000000" +
            "  4000 0200" +
            "    3c00 0100" +
            "      00000000 00000000 00000000 00000000" +
            "      0900 0300 65746830 00000000" +
            "      0800 0400 dc050000" +
            "      0a00 0100 02760a00 00020000" +
            "      0800 1c00 09000000"));
    }

    [Fact]
    public void Delete_and_get_link_name_the_link_by_ifname()
    {
        RtNetlink.DeleteLink("x").ToArray(2).ShouldBe(Hex("28000000 1100 0500 02000000 00000000" + "00000000 00000000 00000000 00000000" + "0600 0300 78000000"));
        RtNetlink.GetLinkByName("x").ToArray(2).AsSpan(4, 4).ToArray().ShouldBe(Hex("1200 0100"));
    }

    [Fact]
    public void The_nftables_generation_query_is_nfnetlink_getgen()
    {
        RtNetlink.GetGeneration().ToArray(3).ShouldBe(Hex("14000000 100a 0100 03000000 00000000 00000000"));
    }

    [Fact]
    public void An_ack_an_errno_a_link_index_and_a_generation_are_read_from_replies()
    {
        var ack = Hex("24000000 0200 0001 01000000 00000000 00000000" + "28000000 1000 0500 01000000 00000000");
        var m = NetlinkMessage.Parse(ack, ack).ShouldHaveSingleItem();
        (m.Type, m.Seq, m.ErrorCode).ShouldBe(((ushort)2, 1u, 0));

        var nodev = Hex("24000000 0200 0001 02000000 00000000 edffffff" + "28000000 1000 0500 02000000 00000000");
        NetlinkMessage.Parse(nodev, nodev)[0].ErrorCode.ShouldBe(19);

        var link = Hex("20000000 1000 0000 03000000 00000000" + "00000100 07000000 43100100 00000000");
        RtNetlink.LinkIndex(NetlinkMessage.Parse(link, link)[0]).ShouldBe(7);

        var gen = Hex("1c000000 0f0a 0000 04000000 00000000 00000000" + "0800 0100 0000012c");
        RtNetlink.GenerationId(NetlinkMessage.Parse(gen, gen)[0]).ShouldBe(300u);
    }

    [Fact]
    public void A_links_master_is_read_from_ifla_master_and_a_link_without_one_has_none()
    {
        // RTM_NEWLINK: ifinfomsg (index 9), IFLA_IFNAME "vk", IFLA_MASTER 4.
        var port = Hex("30000000 1000 0000 05000000 00000000" + "00000100 09000000 43100100 00000000" + "0700 0300 766b0000" + "0800 0a00 04000000");
        RtNetlink.LinkMaster(NetlinkMessage.Parse(port, port)[0]).ShouldBe(4);
        var alone = Hex("28000000 1000 0000 05000000 00000000" + "00000100 09000000 43100100 00000000" + "0700 0300 766b0000");
        RtNetlink.LinkMaster(NetlinkMessage.Parse(alone, alone)[0]).ShouldBeNull();
    }

    [Fact]
    public void Two_messages_in_one_buffer_are_both_read_and_a_length_past_the_end_is_refused()
    {
        var two = Hex("14000000 0300 0200 05000000 00000000 00000000" + "24000000 0200 0001 05000000 00000000 00000000" + "14000000 1000 0500 05000000 00000000");
        NetlinkMessage.Parse(two, two).Select(m => m.Type).ShouldBe([(ushort)3, (ushort)2]);

        var cut = Hex("40000000 0200 0000 01000000 00000000 00000000");
        Should.Throw<InvalidDataException>(() => NetlinkMessage.Parse(cut, cut));
    }

    [Fact]
    public void An_unclosed_nest_is_a_bug_caught_before_sending()
    {
        Should.Throw<InvalidOperationException>(() => new NetlinkWriter(16, 1).Begin(18).ToArray());
    }
}
