using System.Net;
using System.Text.Json;
using Shouldly;
using Volt.Core.Errors;
using Volt.Mesh.Crypto;
using Xunit;

namespace Volt.Mesh.Tests;

public sealed class MembershipRulesTests
{
    private static readonly IPNetwork Cidr = IPNetwork.Parse("100.96.0.0/12");

    private static string Key() => WgKey.ToBase64(X25519.PublicKey(X25519.NewPrivateKey()));

    private static HostRecord Host(string name, int n, string? key = null, string? subnet = null) =>
        new(name, key ?? Key(), $"10.231.0.{n}:51820", MeshLayout.HostAddress(Cidr, n).ToString(), subnet ?? MeshLayout.Subnet(Cidr, n).ToString(), n, DateTimeOffset.UnixEpoch);

    private static (byte[], long) Rec(HostRecord h, long rev) => (JsonSerializer.SerializeToUtf8Bytes(h, MeshJson.Default.HostRecord), rev);

    [Fact]
    public void Layout_GivesEachHostNumberADistinctAddressAndSubnet()
    {
        MeshLayout.HostAddress(Cidr, 1).ToString().ShouldBe("100.96.0.1");
        MeshLayout.Subnet(Cidr, 1).ToString().ShouldBe("100.97.0.0/24");
        MeshLayout.Subnet(Cidr, 2).ToString().ShouldBe("100.97.1.0/24");
        var all = Enumerable.Range(1, MeshLayout.MaxHosts(Cidr)).Select(n => MeshLayout.Subnet(Cidr, n)).ToList();
        all.Select(s => s.ToString()).Distinct().Count().ShouldBe(all.Count);
        all.ShouldAllBe(s => Cidr.Contains(s.BaseAddress) && !s.Contains(MeshLayout.HostAddress(Cidr, 1)));
    }

    [Theory]
    [InlineData("100.96.0.0/16")]
    [InlineData("100.96.0.1/12")]
    [InlineData("fd00::/8")]
    [InlineData("nonsense")]
    public void BadCidrs_AreUsageErrors(string cidr) => Should.Throw<VoltException>(() => MeshLayout.ParseCidr(cidr)).Code.ShouldBe(ExitCode.Usage);

    [Fact]
    public void PeerSet_IgnoresMalformedKeysAndOverlappingSubnets_AndExcludesItself()
    {
        var me = Host("h1", 1);
        var good = Host("h2", 2);
        var badKey = Host("h3", 3, key: "bm90LWEta2V5");
        var overlap = Host("h4", 4, subnet: good.Subnet);
        var outside = Host("h5", 5, subnet: "10.0.0.0/24");
        var set = PeerSet.Build([Rec(overlap, 40), Rec(me, 10), Rec(good, 20), Rec(badKey, 30), Rec(outside, 50), (System.Text.Encoding.UTF8.GetBytes("{nope"), 60)], "h1", Cidr);
        set.Self!.Name.ShouldBe("h1");
        set.Peers.Select(p => p.Name).ShouldBe(["h2"]);
        set.Ignored.Count.ShouldBe(4);
        set.Ignored.ShouldContain(i => i.StartsWith("h3: malformed public key"));
        set.Ignored.ShouldContain(i => i.StartsWith("h4: subnet") && i.Contains("overlaps h2"));
        set.Ignored.ShouldContain(i => i.StartsWith("h5: subnet"));
    }

    [Fact]
    public void PeerSet_TheEarlierRecordKeepsAContestedSubnet()
    {
        var first = Host("a", 2);
        var second = Host("b", 3, subnet: first.Subnet);
        var set = PeerSet.Build([Rec(second, 9), Rec(first, 5)], "me", Cidr);
        set.Peers.Select(p => p.Name).ShouldBe(["a"]);
    }

    [Fact]
    public void Token_RoundTrips_AndAForgedSecretOrExpiryDoesNotMatch()
    {
        var now = DateTimeOffset.UtcNow;
        var t = JoinToken.New("prod", now.AddHours(1));
        var parsed = JoinToken.Parse(t.ToString());
        parsed.ShouldBe(t);
        var record = new TokenRecord(t.SecretHash, t.Expires, "h1");
        parsed.Matches(record, now).ShouldBeTrue();
        (parsed with { Secret = new string('A', 32) }).Matches(record, now).ShouldBeFalse();
        (parsed with { Expires = t.Expires.AddDays(1) }).Matches(record, now).ShouldBeFalse();
        parsed.Matches(record, now.AddHours(2)).ShouldBeFalse();
    }

    [Theory]
    [InlineData("")]
    [InlineData("vmt1.prod.0123456789abcdef.1.short")]
    [InlineData("vmt2.prod.0123456789abcdef.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("vmt1.PROD.0123456789abcdef.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("vmt1.prod.0123456789abcdef.-1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void NotATokenShape_IsAUsageError(string text) => Should.Throw<VoltException>(() => JoinToken.Parse(text)).Code.ShouldBe(ExitCode.Usage);
}
