using System.Net;
using ARSoft.Tools.Net.Dns;
using Shouldly;
using Volt.Dns.Records;
using Volt.Dns.Wire;
using Xunit;

namespace Volt.Dns.Tests.Unit;

/// <summary>
/// The scope rule through the resolver: web on "front", db on "back", api on both; a name resolves only for askers
/// that share a network with it; the host sees everything; unknown sources see no workload names.
/// </summary>
public sealed class ScopeTests : IDisposable
{
    private readonly StoreFixture _f = new();
    private readonly DnsResolver _resolver;

    public ScopeTests()
    {
        _f.Network("front", "10.1.0.0/24", "10.1.0.1", "fd00:1::/64", "fd00:1::1");
        _f.Network("back", "10.2.0.0/24", "10.2.0.1");
        _f.Attach("web", "front", "10.1.0.2", "fd00:1::2", aliases: ["www", "Frontend"]);
        _f.Attach("db", "back", "10.2.0.2", aliases: ["postgres"]);
        _f.Attach("api", "front", "10.1.0.3");
        _f.Attach("api", "back", "10.2.0.3");
        _f.Attach("vm1", "back", "10.2.0.9", kind: "vm");
        var records = DnsRecords.Build(_f.Store.List(), _f.Store.Attachments());
        _resolver = new DnsResolver(() => records, 0);
    }

    private (ReturnCode Rcode, string Data) Ask(string name, string from, ushort type = DnsConst.A)
    {
        var resp = new byte[4096];
        var outcome = _resolver.Resolve(Tests.Ask.Query(name, type), IPAddress.Parse(from), resp, udp: true, out var n, out _);
        outcome.ShouldBe(Outcome.Answered, $"{name} from {from}");
        return (Tests.Ask.Parse(resp[..n]).ReturnCode, string.Join(",", Tests.Ask.Data(resp[..n]).Order()));
    }

    [Fact]
    public void A_name_resolves_only_for_askers_on_a_network_it_is_on()
    {
        Ask("db", "10.1.0.2").ShouldBe((ReturnCode.NxDomain, ""));      // web is only on front
        Ask("db", "10.1.0.3").ShouldBe((ReturnCode.NoError, "10.2.0.2")); // api asks from its front address
        Ask("web", "10.2.0.3").Data.ShouldBe("10.1.0.2");
        Ask("web", "10.2.0.2").Rcode.ShouldBe(ReturnCode.NxDomain);
        Ask("vm1", "10.2.0.2").Data.ShouldBe("10.2.0.9");                              // VMs are attachments like any
    }

    [Fact]
    public void A_workload_on_two_networks_answers_the_asker_only_its_shared_address()
    {
        Ask("api", "10.1.0.2").Data.ShouldBe("10.1.0.3");
        Ask("api", "10.2.0.2").Data.ShouldBe("10.2.0.3");
        Ask("api", "127.0.0.1").Data.ShouldBe("10.1.0.3,10.2.0.3");  // the host sees both
    }

    [Fact]
    public void Explicit_scope_names_and_aliases_resolve_case_insensitively()
    {
        Ask("db.back.volt", "10.1.0.3").Data.ShouldBe("10.2.0.2");
        Ask("DB.Back.Volt", "10.1.0.3").Data.ShouldBe("10.2.0.2");
        Ask("api.front.volt", "10.2.0.2").Rcode.ShouldBe(ReturnCode.NxDomain);  // db is not on front
        Ask("api.back.volt", "10.2.0.2").Data.ShouldBe("10.2.0.3");
        Ask("postgres", "10.2.0.3").Data.ShouldBe("10.2.0.2");
        Ask("frontend.front.volt", "10.1.0.3").Data.ShouldBe("10.1.0.2");
        Ask("www", "10.2.0.2").Rcode.ShouldBe(ReturnCode.NxDomain);
    }

    [Fact]
    public void Unknown_sources_see_no_workload_names_and_the_gateway_sees_all()
    {
        Ask("web", "192.0.2.50").Rcode.ShouldBe(ReturnCode.NxDomain);
        Ask("web", "10.1.0.1").Data.ShouldBe("10.1.0.2");
        Ask("db", "fd00:1::1").Data.ShouldBe("10.2.0.2");
    }

    [Fact]
    public void Aaaa_answers_where_the_network_has_ipv6_and_nodata_where_not()
    {
        Ask("web", "10.1.0.3", DnsConst.Aaaa).ShouldBe((ReturnCode.NoError, "fd00:1::2"));
        Ask("db", "10.2.0.3", DnsConst.Aaaa).ShouldBe((ReturnCode.NoError, ""));  // NODATA, not NXDOMAIN
        Ask("db", "10.2.0.3", 16).ShouldBe((ReturnCode.NoError, ""));             // TXT of a known name
        Ask("web", "fd00:1::2", DnsConst.A).Data.ShouldBe("10.1.0.2");                          // asked over IPv6
    }

    [Fact]
    public void Ptr_answers_the_explicit_name_within_scope_and_nxdomain_inside_volt_subnets()
    {
        Ask("2.0.2.10.in-addr.arpa", "10.2.0.3", DnsConst.Ptr).Data.ShouldBe("db.back.volt");
        Ask("2.0.2.10.in-addr.arpa", "10.1.0.2", DnsConst.Ptr).Rcode.ShouldBe(ReturnCode.NxDomain);
        Ask(DnsName.Reverse(IPAddress.Parse("fd00:1::2")), "10.1.0.3", DnsConst.Ptr).Data.ShouldBe("web.front.volt");
        Ask("77.0.2.10.in-addr.arpa", "127.0.0.1", DnsConst.Ptr).Rcode.ShouldBe(ReturnCode.NxDomain); // a Volt subnet: never forwarded
    }

    [Fact]
    public void Single_label_and_volt_names_never_leave_and_other_names_are_forwarded()
    {
        Ask("nosuch", "10.1.0.2").Rcode.ShouldBe(ReturnCode.NxDomain);
        Ask("nosuch.front.volt", "10.1.0.2").Rcode.ShouldBe(ReturnCode.NxDomain);
        var resp = new byte[512];
        _resolver.Resolve(Tests.Ask.Query("debian.org"), IPAddress.Parse("10.1.0.2"), resp, true, out _, out var q).ShouldBe(Outcome.Forward);
        q.Name.ShouldBe("debian.org");
        _resolver.Resolve(Tests.Ask.Query("4.3.2.1.in-addr.arpa", DnsConst.Ptr), IPAddress.Parse("10.1.0.2"), resp, true, out _, out _).ShouldBe(Outcome.Forward);
    }

    [Fact]
    public void Attachments_on_unknown_networks_and_bad_aliases_are_skipped()
    {
        _f.Attach("ghost", "front", "10.1.0.77", aliases: ["bad name", "ok-alias"]);
        var recs = DnsRecords.Build(_f.Store.List().Where(n => n.Name != "back"), _f.Store.Attachments());
        recs.Find("db", null).ShouldBeNull();
        recs.Find("bad name", null).ShouldBeNull();
        recs.Find("ok-alias", null)!.Single().Workload.ShouldBe("ghost");
    }

    public void Dispose() => _f.Dispose();
}
