using Shouldly;
using Volt.Core.Paths;
using Volt.Network.State;
using Volt.Testing;
using Xunit;

namespace Volt.Network.Tests.Unit;

public sealed class NetworkStoreTests : IDisposable
{
    private readonly TempDir _dir = new("volt-netstore");
    private readonly NetworkStore _store;

    public NetworkStoreTests() => _store = new NetworkStore(new VoltPaths(_dir.Path));

    public void Dispose() => _dir.Dispose();

    private static AttachmentRecord Rec(string workload, string network, string address) =>
        new(workload, network, "volt-" + network, address, 24, "10.0.0.1", "vh-x", "pid:1", [], DateTimeOffset.UnixEpoch);

    [Fact]
    public void A_workloads_attachments_are_its_own_files_only_never_a_name_it_prefixes_and_never_the_others()
    {
        _store.SaveAttachment(Rec("a", "n1", "10.1.0.2"));
        _store.SaveAttachment(Rec("a", "n2", "10.2.0.2"));
        _store.SaveAttachment(Rec("ab", "n1", "10.1.0.3"));
        _store.SaveAttachment(Rec("a.b", "n1", "10.1.0.4"));
        _store.SaveAttachment(Rec("b", "n1", "10.1.0.5"));
        // A legacy single file (before multi-network) still counts for its workload.
        File.WriteAllText(_store.LegacyAttachmentFile("c"), System.Text.Json.JsonSerializer.Serialize(Rec("c", "n3", "10.3.0.2"), NetworkJson.Default.AttachmentRecord));

        _store.AttachmentsOf("a").Select(r => r.Network).ShouldBe(["n1", "n2"]);
        _store.AttachmentsOf("ab").ShouldHaveSingleItem().Address.ShouldBe("10.1.0.3");
        _store.AttachmentsOf("c").ShouldHaveSingleItem().Network.ShouldBe("n3");
        _store.AttachmentsOf("nobody").ShouldBeEmpty();
    }

    [Fact]
    public void One_file_per_workload_and_network_and_all_of_them_enumerate()
    {
        _store.SaveAttachment(Rec("web", "front", "10.1.0.2") with { Aliases = ["www"], Address6 = "fd00::2" });
        _store.SaveAttachment(Rec("web", "back", "10.2.0.2"));
        _store.SaveAttachment(Rec("db", "back", "10.2.0.3") with { Kind = AttachmentKinds.Vm });

        File.Exists(Path.Combine(_store.AttachmentsDir, "web@front.json")).ShouldBeTrue();
        File.Exists(Path.Combine(_store.AttachmentsDir, "web@back.json")).ShouldBeTrue();
        _store.Attachments().Select(a => $"{a.Workload}@{a.Network}").ShouldBe(["db@back", "web@back", "web@front"]);
        _store.AttachmentsOf("web").Count.ShouldBe(2);
        var front = _store.TryGetAttachment("web", "front")!;
        front.Aliases.ShouldBe(["www"]);
        front.Address6.ShouldBe("fd00::2");
        front.Kind.ShouldBe("container");
        _store.TryGetAttachment("db", "back")!.Kind.ShouldBe("vm");

        _store.DeleteAttachment("web", "front");
        _store.Attachments().Select(a => $"{a.Workload}@{a.Network}").ShouldBe(["db@back", "web@back"]);
    }

    [Fact]
    public void A_single_network_file_from_before_still_reads_with_defaults_and_is_replaced_on_save()
    {
        Directory.CreateDirectory(_store.AttachmentsDir);
        File.WriteAllText(_store.LegacyAttachmentFile("web"), """
            {"container":"web","network":"volt0","bridge":"volt0","address":"10.0.0.2","prefix_length":24,
             "gateway":"10.0.0.1","host_veth":"vh-1","target":"pid:1","ports":[],"created":"2026-01-01T00:00:00+00:00"}
            """);
        var a = _store.Attachments().ShouldHaveSingleItem();
        a.Aliases.ShouldBeEmpty();
        a.Address6.ShouldBeNull();
        a.Kind.ShouldBe("container");
        _store.TryGetAttachment("web", "volt0").ShouldNotBeNull();
        _store.TryGetAttachment("web", "other").ShouldBeNull();

        _store.SaveAttachment(a with { Aliases = ["w"] });
        File.Exists(_store.LegacyAttachmentFile("web")).ShouldBeFalse();
        _store.Attachments().ShouldHaveSingleItem().Aliases.ShouldBe(["w"]);
    }

    [Fact]
    public void A_network_record_from_before_gets_defaults_and_its_search_domain()
    {
        Directory.CreateDirectory(_store.Dir);
        File.WriteAllText(_store.NetworkFile("back"), """
            {"name":"back","bridge":"volt-back","subnet":"10.2.0.0/24","gateway":"10.2.0.1","created":"2026-01-01T00:00:00+00:00"}
            """);
        var n = _store.TryGet("back")!;
        n.Internal.ShouldBeFalse();
        n.Subnet6.ShouldBeNull();
        n.Mtu.ShouldBe(0);
        n.SearchDomain.ShouldBe("back.volt");
        _store.Save(n with { Internal = true, Subnet6 = "fd00:1::/64", Gateway6 = "fd00:1::1", Mtu = 1400 });
        var again = _store.TryGet("back")!;
        (again.Internal, again.Subnet6, again.Gateway6, again.Mtu, again.SearchDomain).ShouldBe((true, "fd00:1::/64", "fd00:1::1", 1400, "back.volt"));
    }
}
