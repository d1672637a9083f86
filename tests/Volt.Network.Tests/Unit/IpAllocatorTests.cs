using System.Text.Json.Nodes;
using Shouldly;
using Volt.Core.Errors;
using Volt.Core.Paths;
using Volt.Network.Addressing;
using Volt.Network.Ipam;
using Volt.Network.State;
using Volt.Testing;
using Xunit;

namespace Volt.Network.Tests.Unit;

public sealed class IpAllocatorTests : IDisposable
{
    private readonly TempDir _dir = new("volt-ipam");
    private readonly NetworkStore _store;

    public IpAllocatorTests() => _store = new NetworkStore(new VoltPaths(_dir.Path));

    public void Dispose() => _dir.Dispose();

    private IpAllocator New(string subnet = "10.0.0.0/24") => new(_store, "volt0", Ipv4Cidr.Parse(subnet));

    [Fact]
    public void Allocates_from_the_second_host_and_is_idempotent_per_owner()
    {
        var ipam = New();
        ipam.Allocate("a").ShouldBe(new IpAllocator.Lease("10.0.0.2", true));
        ipam.Allocate("b").Address.ShouldBe("10.0.0.3");
        ipam.Allocate("a").ShouldBe(new IpAllocator.Lease("10.0.0.2", false));
        New().Allocate("a").Address.ShouldBe("10.0.0.2"); // persisted: a new instance sees it
    }

    [Fact]
    public void Release_frees_the_lowest_address_for_reuse()
    {
        var ipam = New();
        ipam.Allocate("a"); ipam.Allocate("b"); ipam.Allocate("c");
        ipam.Release("b").ShouldBeTrue();
        ipam.Release("b").ShouldBeFalse();
        ipam.Allocate("d").Address.ShouldBe("10.0.0.3");
        ipam.Allocations().Keys.ShouldBe(["a", "c", "d"]);
    }

    [Fact]
    public void Never_hands_out_network_gateway_or_broadcast_and_fails_11_when_full()
    {
        var ipam = New("192.168.5.0/29"); // .0 network, .1 gateway, .2-.6 hosts, .7 broadcast
        var got = Enumerable.Range(0, 5).Select(i => ipam.Allocate($"c{i}").Address).ToList();
        got.ShouldBe(["192.168.5.2", "192.168.5.3", "192.168.5.4", "192.168.5.5", "192.168.5.6"]);
        Should.Throw<VoltException>(() => ipam.Allocate("c5")).Code.ShouldBe(ExitCode.Resource);
    }

    [Fact]
    public void File_format_is_documented_json_written_atomically()
    {
        New().Allocate("web");
        var json = JsonNode.Parse(File.ReadAllText(_store.IpamFile("volt0")))!;
        json["network"]!.GetValue<string>().ShouldBe("volt0");
        json["subnet"]!.GetValue<string>().ShouldBe("10.0.0.0/24");
        json["allocations"]!["web"]!.GetValue<string>().ShouldBe("10.0.0.2");
        Directory.GetFiles(_store.Dir).ShouldAllBe(f => !f.EndsWith(".tmp"));
    }

    [Fact]
    public void A_subnet_mismatch_is_a_conflict_not_a_silent_reuse()
    {
        New().Allocate("web");
        Should.Throw<VoltException>(() => New("10.9.0.0/24").Allocate("x")).Code.ShouldBe(ExitCode.Conflict);
    }

    [Fact]
    public async Task Concurrent_instances_never_share_an_address()
    {
        const int owners = 200;
        var results = new string[owners];
        // Separate allocator instances (separate lock file descriptions) on 8 threads at once, plus releases mixed in.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = t; i < owners; i += 8)
            {
                var ipam = New("10.1.0.0/16");
                results[i] = ipam.Allocate($"c{i}").Address;
                if (i % 5 == 0) { ipam.Allocate($"tmp{i}"); ipam.Release($"tmp{i}"); }
            }
        })));
        results.Distinct().Count().ShouldBe(owners);
        var persisted = New("10.1.0.0/16").Allocations();
        persisted.Count.ShouldBe(owners);
        persisted.Values.Distinct().Count().ShouldBe(owners);
        for (var i = 0; i < owners; i++) persisted[$"c{i}"].ShouldBe(results[i]);
    }
}
