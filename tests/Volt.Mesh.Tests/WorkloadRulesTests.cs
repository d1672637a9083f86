using System.Net;
using System.Text;
using System.Text.Json;
using Shouldly;
using Volt.Mesh.Crypto;
using Xunit;

namespace Volt.Mesh.Tests;

/// <summary>What the agent admits from etcd for volt-dns, and how often it logs an ignored record.</summary>
public sealed class WorkloadRulesTests
{
    private static readonly IPNetwork Cidr = IPNetwork.Parse("100.96.0.0/12");

    private static HostRecord Host(string name, int n) =>
        new(name, WgKey.ToBase64(X25519.PublicKey(X25519.NewPrivateKey())), $"10.231.0.{n}:51820", MeshLayout.HostAddress(Cidr, n).ToString(), MeshLayout.Subnet(Cidr, n).ToString(), n, DateTimeOffset.UnixEpoch);

    private static (byte[], long, long) Rec(HostRecord h, long rev, long mod) => (JsonSerializer.SerializeToUtf8Bytes(h, MeshJson.Default.HostRecord), rev, mod);

    private static byte[] Workloads(params (string Name, string Address)[] w) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(w.Select(x => new WorkloadRecord(x.Name, x.Address)).ToList(), MeshJson.Default.ListWorkloadRecord));

    [Fact]
    public void RemoteWorkloads_ComeOnlyFromConfiguredPeers_WithLabelsAndAddressesInsideThatPeersSubnet()
    {
        var set = PeerSet.Build([Rec(Host("h1", 1), 1, 1), Rec(Host("h3", 3), 3, 3)], "h1", Cidr);
        var remote = MeshAgent.RemoteWorkloads(set,
        [
            ("h3", Workloads(("web", "100.97.2.2"), ("db", "100.97.0.7"), ("bad.name", "100.97.2.3"), ("x", "nope"))),
            ("h2", Workloads(("ghost", "100.97.1.2"))),   // no (valid) record for h2: left, expired or ignored
            ("h1", Workloads(("mine", "100.97.0.2"))),    // this host's own
            ("h3x", Encoding.UTF8.GetBytes("{not json")),
        ]);
        remote.ShouldBe([new RemoteWorkload("h3", "web", "100.97.2.2")]);
    }

    [Fact]
    public void IgnoredRecords_AreNewsOncePerVersion()
    {
        var bad = Host("evil", 5) with { PublicKey = "bm90LWEta2V5" };
        var log = new IgnoredLog();
        PeerSet Set(long mod) => PeerSet.Build([Rec(Host("h1", 1), 1, 1), Rec(bad, 7, mod)], "h1", Cidr);
        log.Fresh(Set(7)).ShouldHaveSingleItem().ShouldStartWith("evil: malformed public key");
        log.Fresh(Set(7)).ShouldBeEmpty("the same version again is not news");
        log.Fresh(Set(7)).ShouldBeEmpty();
        log.Fresh(Set(9)).Count.ShouldBe(1, "a new version of the record is logged again");
        log.Fresh(PeerSet.Build([Rec(Host("h1", 1), 1, 1)], "h1", Cidr)).ShouldBeEmpty();
        log.Fresh(Set(9)).Count.ShouldBe(1, "deleted and put back: news again");
    }
}
