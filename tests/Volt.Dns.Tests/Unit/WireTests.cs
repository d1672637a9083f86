using System.Net;
using ARSoft.Tools.Net.Dns;
using Shouldly;
using Volt.Dns.Records;
using Volt.Dns.Wire;
using Xunit;

namespace Volt.Dns.Tests.Unit;

public sealed class WireTests
{
    private static readonly DnsRecords NoRecords = DnsRecords.Empty;

    [Fact]
    public void A_query_parses_to_its_id_lower_cased_name_type_and_edns_size()
    {
        var msg = new DnsMessage { TransactionID = 0xBEEF, IsRecursionDesired = true };
        msg.Questions.Add(new DnsQuestion(ARSoft.Tools.Net.DomainName.Parse("Web.Front.VOLT"), RecordType.Aaaa, RecordClass.INet));
        msg.EDnsOptions = new OptRecord { UdpPayloadSize = 4096 };
        var bytes = Encode(msg);
        DnsQuery.Parse(bytes, out var q, out _).ShouldBe(QueryVerdict.Ok);
        (q.Id, q.Name, q.Type, q.Class, q.Edns, q.UdpLimit, q.RecursionDesired).ShouldBe(((ushort)0xBEEF, "web.front.volt", DnsConst.Aaaa, DnsConst.ClassIn, true, DnsConst.MaxUdpAnswer, true));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, "drop")]                                   // shorter than a header
    [InlineData(new byte[] { 0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1 }, "drop")] // a response
    [InlineData(new byte[] { 0, 1, 0x28, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1 }, "4")]   // opcode 5 (UPDATE): NOTIMP
    [InlineData(new byte[] { 0, 1, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1 }, "1")]      // two questions: FORMERR
    [InlineData(new byte[] { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 1, 0, 1 }, "1")] // pointer in the question
    [InlineData(new byte[] { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, (byte)'a', 0 }, "1")]    // label runs off the end
    [InlineData(new byte[] { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, (byte)'a', 0, 0 }, "1")] // no type/class
    [InlineData(new byte[] { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 64, 0, 0, 1, 0, 1 }, "1")]  // label type 01
    public void Malformed_queries_are_dropped_or_rejected_with_the_right_rcode(byte[] packet, string expected)
    {
        var verdict = DnsQuery.Parse(packet, out var q, out var rcode);
        if (expected == "drop") verdict.ShouldBe(QueryVerdict.Drop);
        else
        {
            verdict.ShouldBe(QueryVerdict.Reject);
            rcode.ToString().ShouldBe(expected);
            var resp = new byte[512];
            var n = DnsResponse.Status(packet, q, rcode, false, resp);
            var parsed = Ask.Parse(resp[..n]);
            ((int)parsed.ReturnCode).ShouldBe(rcode);
            parsed.TransactionID.ShouldBe((ushort)1);
        }
    }

    [Fact]
    public void An_oversized_query_is_formerr()
    {
        var big = new byte[DnsConst.MaxQueryLength + 1];
        big[5] = 1;
        DnsQuery.Parse(big, out _, out var rcode).ShouldBe(QueryVerdict.Reject);
        rcode.ShouldBe(DnsConst.FormErr);
    }

    [Fact]
    public void A_name_longer_than_255_bytes_is_formerr()
    {
        var name = new List<byte>();
        for (var i = 0; i < 5; i++) { name.Add(63); name.AddRange(Enumerable.Repeat((byte)'a', 63)); }
        name.Add(0);
        byte[] packet = [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, .. name, 0, 1, 0, 1];
        DnsQuery.Parse(packet, out _, out var rcode).ShouldBe(QueryVerdict.Reject);
        rcode.ShouldBe(DnsConst.FormErr);
    }

    [Fact]
    public void Random_bytes_never_throw_and_are_never_answered_as_a_success()
    {
        var rnd = new Random(12);
        var resolver = new DnsResolver(() => NoRecords);
        var resp = new byte[65535];
        for (var i = 0; i < 20_000; i++)
        {
            var packet = new byte[rnd.Next(0, 600)];
            rnd.NextBytes(packet);
            if (i % 2 == 0 && packet.Length > 12) { packet[2] &= 0x07; packet[4] = 0; packet[5] = 1; } // mostly-valid headers too
            var outcome = resolver.Resolve(packet, IPAddress.Loopback, resp, udp: true, out var n, out _);
            if (outcome == Outcome.Answered) { n.ShouldBeInRange(12, 512); (resp[2] & 0x80).ShouldBe(0x80); }
        }
    }

    [Fact]
    public void Answers_parse_with_an_independent_implementation()
    {
        var q = Ask.Query("web", DnsConst.Any);
        DnsQuery.Parse(q, out var parsed, out _).ShouldBe(QueryVerdict.Ok);
        var resp = new byte[512];
        var n = DnsResponse.Answers(q, parsed, DnsConst.NoError, true,
            [LocalAnswer.ForAddress(IPAddress.Parse("10.1.0.2")), LocalAnswer.ForAddress(IPAddress.Parse("fd00::2")), LocalAnswer.ForPtr("web.front.volt")], 7, resp);
        var m = Ask.Parse(resp[..n]);
        (m.IsQuery, m.IsAuthoritiveAnswer, m.ReturnCode, m.TransactionID).ShouldBe((false, true, ReturnCode.NoError, (ushort)0x1234));
        m.Questions.Single().Name.ToString().ShouldBe("web.");
        Ask.Data(resp[..n]).ShouldBe(["10.1.0.2", "fd00::2", "web.front.volt"]);
        m.AnswerRecords.ShouldAllBe(r => r.TimeToLive == 7 && r.Name.ToString() == "web.");
    }

    [Fact]
    public void Answers_that_do_not_fit_512_bytes_set_tc()
    {
        var q = Ask.Query("many");
        DnsQuery.Parse(q, out var parsed, out _);
        var answers = Enumerable.Range(1, 60).Select(i => LocalAnswer.ForAddress(IPAddress.Parse($"10.0.0.{i}"))).ToArray();
        var resp = new byte[parsed.UdpLimit];
        var n = DnsResponse.Answers(q, parsed, DnsConst.NoError, true, answers, 0, resp);
        var m = Ask.Parse(resp[..n]);
        m.IsTruncated.ShouldBeTrue();
        m.AnswerRecords.Count.ShouldBeLessThan(60);
    }

    [Fact]
    public void Reverse_names_round_trip_for_both_families()
    {
        foreach (var ip in new[] { "10.1.2.3", "fd00:1::2" })
        {
            var a = IPAddress.Parse(ip);
            DnsRecords.ReverseAddress(DnsName.Reverse(a)).ShouldBe(a);
        }
        DnsName.Reverse(IPAddress.Parse("10.1.2.3")).ShouldBe("3.2.1.10.in-addr.arpa");
        DnsRecords.ReverseAddress("1.2.3.in-addr.arpa").ShouldBeNull();
        DnsRecords.ReverseAddress("300.2.3.4.in-addr.arpa").ShouldBeNull();
    }

    private static byte[] Encode(DnsMessage m)
    {
        // ARSoft's encoder is internal (its server and client call it): reached by reflection, in tests only.
        var method = typeof(DnsMessageBase).GetMethod("Encode", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance, [])!;
        var raw = method.Invoke(m, null)!;
        var seg = (ArraySegment<byte>)raw.GetType().GetMethod("ToArraySegment")!.Invoke(raw, [false])!;
        return seg.ToArray();
    }
}
