using System.Net;
using Shouldly;
using Volt.Dns.Records;
using Xunit;

namespace Volt.Dns.Tests.Unit;

/// <summary>
/// Remote workloads from the mesh (<c>remote-workloads.json</c>): <c>NAME.HOST.mesh</c> always, plain <c>NAME</c>
/// only when one remote host has it and no local workload does; visible to the host and to workloads on a network,
/// never to unknown askers; <c>*.mesh</c> is never forwarded.
/// </summary>
public sealed class MeshRecordsTests : IDisposable
{
    private readonly StoreFixture _f = new();

    public MeshRecordsTests()
    {
        _f.Network("front", "10.1.0.0/24", "10.1.0.1");
        _f.Attach("db", "front", "10.1.0.2");
    }

    private DnsRecords Build(params RemoteWorkload[] remote) => DnsRecords.Build(_f.Store.List(), _f.Store.Attachments(), remote);

    private static IReadOnlySet<string> Workload => new HashSet<string> { "front" };

    [Fact]
    public void QualifiedAndUniquePlainNames_Answer_ForTheHostAndForWorkloads()
    {
        var r = Build(new("h3", "web", "100.97.2.2"), new("h2", "api", "100.97.1.5"));
        r.Find("web.h3.mesh", null)!.Single().Address.ShouldBe(IPAddress.Parse("100.97.2.2"));
        r.Find("web.h3.mesh", Workload)!.Single().Address.ShouldBe(IPAddress.Parse("100.97.2.2"));
        r.Find("web", Workload)!.Single().Address.ShouldBe(IPAddress.Parse("100.97.2.2"));
        r.Find("api", null)!.Single().Address.ShouldBe(IPAddress.Parse("100.97.1.5"));
        r.Find("web.h2.mesh", null).ShouldBeNull();
        r.Find("web.h3.mesh", new HashSet<string>()).ShouldBeNull("an unknown asker sees no workload names");
        r.IsLocal("nothing.h9.mesh").ShouldBeTrue("*.mesh is answered here, never forwarded");
        r.RemoteEntries.Count.ShouldBe(2);
    }

    [Fact]
    public void APlainNameOnTwoHosts_OrALocalOne_IsNotAnsweredFromTheMesh()
    {
        var r = Build(new("h2", "web", "100.97.1.2"), new("h3", "web", "100.97.2.2"), new("h3", "db", "100.97.2.3"));
        r.Find("web", null).ShouldBeNull("ambiguous across hosts: only the qualified names answer");
        r.Find("web.h2.mesh", null)!.Single().Address.ShouldBe(IPAddress.Parse("100.97.1.2"));
        r.Find("db", null)!.Single().Address.ShouldBe(IPAddress.Parse("10.1.0.2"), "the local workload wins");
        r.Find("db.h3.mesh", null)!.Single().Address.ShouldBe(IPAddress.Parse("100.97.2.3"));
    }

    [Fact]
    public void BadRemoteNamesOrAddresses_AreSkipped_AndAMissingFileIsNoRecords()
    {
        var r = Build(new("h3", "a.b", "100.97.2.2"), new("h3", "ok", "not-an-ip"), new("H3", "Fine", "100.97.2.9"));
        r.RemoteEntries.Select(e => e.Name).ShouldBe(["fine"]);
        MeshRecordsFile.Read(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "none.json")).ShouldBeEmpty();
    }

    public void Dispose() => _f.Dispose();
}
