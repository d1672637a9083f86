using Microsoft.Extensions.Time.Testing;
using Shouldly;
using Volt.Dns.Forwarding;
using Volt.Dns.Wire;
using Volt.Testing;
using Xunit;

namespace Volt.Dns.Tests.Unit;

public sealed class CacheTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-01T12:00:00Z"));

    /// <summary>An upstream-style answer: one A record with <paramref name="ttl"/> (or NXDOMAIN with an SOA).</summary>
    private static byte[] Answer(string name, uint ttl, bool nx = false, uint soaMinimum = 300)
    {
        var q = Ask.Query(name);
        DnsQuery.Parse(q, out var parsed, out _);
        var resp = new byte[512];
        var n = DnsResponse.Answers(q, parsed, nx ? DnsConst.NxDomain : DnsConst.NoError, false,
            nx ? [] : [LocalAnswer.ForAddress(System.Net.IPAddress.Parse("192.0.2.1"))], ttl, resp);
        if (!nx) return resp[..n];
        // Authority: "example. SOA" with the given TTL; rdata = mname root, rname root, 5 uint32s (minimum last).
        var soa = new List<byte> { 0, 0, 6, 0, 1, (byte)(ttl >> 24), (byte)(ttl >> 16), (byte)(ttl >> 8), (byte)ttl, 0, 22, 0, 0 };
        for (var i = 0; i < 4; i++) soa.AddRange([0, 0, 0, 1]);
        soa.AddRange([(byte)(soaMinimum >> 24), (byte)(soaMinimum >> 16), (byte)(soaMinimum >> 8), (byte)soaMinimum]);
        byte[] msg = [.. resp[..n], .. soa];
        msg[9] = 1; // NSCOUNT
        return msg;
    }

    private bool Get(ResponseCache c, string name, out byte[] answer, ushort id = 7)
    {
        var q = Ask.Query(name, id: id);
        DnsQuery.Parse(q, out var parsed, out _);
        var buf = new byte[512];
        var hit = c.TryGet(q, parsed, buf, out var n);
        answer = buf[..n];
        return hit;
    }

    private static void Put(ResponseCache c, string name, byte[] answer)
    {
        DnsQuery.Parse(Ask.Query(name), out var q, out _);
        c.Put(q, answer);
    }

    [Fact]
    public void A_hit_carries_the_askers_id_and_counts_the_ttl_down_until_it_expires()
    {
        var c = new ResponseCache(100, _time);
        Put(c, "example.org", Answer("example.org", 60));
        _time.Advance(TimeSpan.FromSeconds(25));
        Get(c, "EXAMPLE.org", out var a, id: 99).ShouldBeTrue();
        var m = Ask.Parse(a);
        (m.TransactionID, m.AnswerRecords.Single().TimeToLive, m.Questions[0].Name.ToString()).ShouldBe(((ushort)99, 35, "EXAMPLE.org."));
        _time.Advance(TimeSpan.FromSeconds(35));
        Get(c, "example.org", out _).ShouldBeFalse();
        c.Count.ShouldBe(0);
    }

    [Fact]
    public void Nxdomain_lives_for_the_soa_minimum_and_ttl_zero_or_servfail_is_not_kept()
    {
        var c = new ResponseCache(100, _time);
        Put(c, "nx.example", Answer("nx.example", 3600, nx: true, soaMinimum: 30));
        _time.Advance(TimeSpan.FromSeconds(29));
        Get(c, "nx.example", out _).ShouldBeTrue();
        _time.Advance(TimeSpan.FromSeconds(2));
        Get(c, "nx.example", out _).ShouldBeFalse();

        Put(c, "zero.example", Answer("zero.example", 0));
        var fail = Answer("fail.example", 60);
        fail[3] = (byte)((fail[3] & 0xF0) | DnsConst.ServFail);
        Put(c, "fail.example", fail);
        c.Count.ShouldBe(0);
    }

    [Fact]
    public void The_cache_never_holds_more_than_its_capacity()
    {
        var c = new ResponseCache(50, _time);
        for (var i = 0; i < 1000; i++) Put(c, $"n{i}.example", Answer($"n{i}.example", (uint)(60 + i)));
        c.Count.ShouldBeLessThanOrEqualTo(50);
        Get(c, "n999.example", out _).ShouldBeTrue(); // the longest-lived stay
    }

    [Fact]
    public void Save_and_load_keep_live_entries_and_drop_expired_ones()
    {
        using var dir = new TempDir("volt-dns-cache");
        var file = dir.Combine("dns", "cache.json");
        var c = new ResponseCache(100, _time);
        Put(c, "short.example", Answer("short.example", 10));
        Put(c, "long.example", Answer("long.example", 600));
        c.Save(file);
        _time.Advance(TimeSpan.FromSeconds(20));
        var d = new ResponseCache(100, _time);
        d.Load(file).ShouldBe(1);
        Get(d, "long.example", out var a).ShouldBeTrue();
        Ask.Parse(a).AnswerRecords.Single().TimeToLive.ShouldBe(580);
        Get(d, "short.example", out _).ShouldBeFalse();
        File.WriteAllText(file, "{ not json");
        new ResponseCache(100, _time).Load(file).ShouldBe(0);
    }
}
