using Shouldly;
using Volt.Network;
using Volt.Network.Firewall;
using Volt.Network.State;
using Xunit;

namespace Volt.Network.Tests.Unit;

/// <summary>The firewall across mesh hosts, as rendered (the real packets: Volt.Mesh.Tests' MeshWorkloadsTests).</summary>
public sealed class MeshFirewallTests
{
    private static readonly NetworkRecord Meshnet = new("meshnet", "volt-meshnet", "100.97.0.0/24", "100.97.0.1", DateTimeOffset.UnixEpoch);
    private static readonly NetworkRecord Volt0 = new("volt0", "volt0", "10.0.0.0/24", "10.0.0.1", DateTimeOffset.UnixEpoch);

    private static FirewallRule Rule(string name, string from, string to, string action) =>
        new(name, from, to, 8080, "tcp", action, DateTimeOffset.UnixEpoch);

    private static AttachmentRecord Local(string name, string address) =>
        new(name, "meshnet", "volt-meshnet", address, 24, "100.97.0.1", "vh-x", "pid:1", [], DateTimeOffset.UnixEpoch);

    [Fact]
    public void TrafficFromARoutedNetworkToTheMesh_IsExemptFromMasquerade_BeforeAnyMasqueradeLine()
    {
        var script = RulesetRenderer.Render([Meshnet, Volt0], [], [], hostInputDrops: false);
        var routed = NetworkManager.WithRouted(script, [Meshnet, Volt0], [new RoutedDestination("meshnet", "100.96.0.0/12", "mesh-in")]);

        var exempt = routed.IndexOf("ip saddr 100.97.0.0/24 ip daddr 100.96.0.0/12 accept comment \"routed:meshnet\"", StringComparison.Ordinal);
        exempt.ShouldBeGreaterThan(routed.IndexOf("chain postrouting", StringComparison.Ordinal));
        exempt.ShouldBeLessThan(routed.IndexOf("masquerade comment \"net:meshnet\"", StringComparison.Ordinal));
        exempt.ShouldBeLessThan(routed.IndexOf("masquerade comment \"net:volt0\"", StringComparison.Ordinal));
        routed.ShouldContain("ip saddr 100.97.0.0/24 oifname != \"volt-meshnet\" masquerade", customMessage: "everything else is still masqueraded");
        RulesetRenderer.CountInetRules(routed).ShouldBe(RulesetRenderer.CountInetRules(script) + 1);
        NetworkManager.WithRouted(script, [Meshnet, Volt0], []).ShouldBe(script, "nothing routed: the script is untouched");
        NetworkManager.WithRouted(script, [Volt0], [new RoutedDestination("meshnet", "100.96.0.0/12", null)]).ShouldBe(script, "a routed network that is gone");
    }

    [Fact]
    public void ARuleNamingAnotherHostsWorkload_MatchesItsAddress_AndTheMeshAllowComesAfterTheUsersRules()
    {
        var rules = new[] { Rule("mesh-in", "cidr:100.96.0.0/12", "network:meshnet", "allow"), Rule("no-client", "workload:client", "workload:web", "deny") };
        var remote = NetworkManager.RemoteAttachments([new RemoteWorkloadAddress("h1", "client", "100.97.1.2"), new RemoteWorkloadAddress("h1", "bad", "not-an-ip")],
            [Local("web", "100.97.0.2")]);
        remote.ShouldHaveSingleItem().Address.ShouldBe("100.97.1.2");

        var ordered = NetworkManager.OrderRules(rules, [new RoutedDestination("meshnet", "100.96.0.0/12", "mesh-in")]);
        ordered.Select(r => r.Name).ShouldBe(["no-client", "mesh-in"]);
        var script = RulesetRenderer.Render([Meshnet], [Local("web", "100.97.0.2"), .. remote], ordered, hostInputDrops: false);

        script.ShouldContain("set wl_client { type ipv4_addr; elements = { 100.97.1.2 }; }");
        script.ShouldContain("set wl_web { type ipv4_addr; elements = { 100.97.0.2 }; }");
        script.IndexOf("fw:no-client", StringComparison.Ordinal).ShouldBeLessThan(script.IndexOf("fw:mesh-in", StringComparison.Ordinal));
        script.ShouldNotContain("ctr:client", customMessage: "a remote workload has no port forwards here");
        NetworkManager.OrderRules(rules, []).ShouldBe(rules, "no mesh: the order added");
    }
}
