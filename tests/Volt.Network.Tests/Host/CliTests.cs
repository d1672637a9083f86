using System.Text.Json.Nodes;
using Shouldly;
using Volt.Testing;
using Xunit;

namespace Volt.Network.Tests.Host;

/// <summary>The real <c>volt net …</c> binary, run inside the test's namespace with <c>ip netns exec</c>.</summary>
public sealed class CliTests : IDisposable
{
    private readonly NetnsLab _lab = new();

    public void Dispose() => _lab.Dispose();

    private (int Code, string Out, string Err) Volt(params string[] args) =>
        TestEnv.Run("nsenter", [NetnsLab.NetArg(_lab.HostNs), VoltBinary.Path, .. args],
            new Dictionary<string, string> { ["VOLT_ROOT"] = _lab.Root.Path, ["VOLT_COLOR"] = "never" }, null);

    [Fact]
    public void Create_list_bridge_list_status_delete_with_exit_codes_and_audit()
    {
        Volt("net", "create", "--name", "backend", "--subnet", "10.30.0.0/24").Code.ShouldBe(0);
        Volt("net", "create", "backend", "--subnet", "10.31.0.0/24").Code.ShouldBe(4);
        Volt("net", "create", "--name", "other", "--subnet", "10.30.0.0/25").Code.ShouldBe(9);
        Volt("net", "create", "--name", "waytoolongname", "--subnet", "10.32.0.0/24").Code.ShouldBe(2);
        Volt("net", "create", "--name", "x", "--subnet", "10.32.0.1/24").Code.ShouldBe(2);
        Volt("net", "create", "--name", "x").Code.ShouldBe(2);

        var list = Volt("net", "list");
        list.Out.ShouldStartWith("NAME");
        list.Out.ShouldContain("backend  volt-backend  10.30.0.0/24  10.30.0.1");
        var json = JsonNode.Parse(Volt("net", "list", "-o", "json").Out)!.AsArray();
        json.Single()!["containers"]!.GetValue<int>().ShouldBe(0);
        Volt("net", "list", "-o", "yaml").Out.ShouldContain("subnet: 10.30.0.0/24");

        var bridges = Volt("net", "bridge", "list");
        bridges.Out.ShouldContain("volt-backend  up");
        bridges.Out.ShouldContain("10.30.0.1/24");
        var status = JsonNode.Parse(Volt("net", "status", "-o", "json").Out)!;
        status["nft_table"]!.GetValue<string>().ShouldBe("inet volt");
        status["ip_forward"]!.GetValue<bool>().ShouldBeTrue();
        var backend = status["networks"]!.AsArray().ShouldHaveSingleItem()!;
        (backend["bridge"]!.GetValue<string>(), backend["state"]!.GetValue<string>(), backend["dns"]!.GetValue<string>(), backend["nat"]!.GetValue<string>())
            .ShouldBe(("volt-backend", "up", "10.30.0.1:53", "on"));

        Volt("net", "delete", "nope").Code.ShouldBe(3);
        Volt("net", "delete", "backend").Code.ShouldBe(0);
        Volt("net", "list", "-o", "json").Out.Trim().ShouldBe("[]");
        _lab.LinkExists(_lab.HostNs, "volt-backend").ShouldBeFalse();

        var audit = File.ReadAllText(_lab.Paths.AuditLog);
        audit.ShouldContain("\"action\":\"net.create\",\"resource\":\"backend\",\"result\":\"success\"");
        audit.ShouldContain("\"action\":\"net.delete\",\"resource\":\"backend\",\"result\":\"success\"");
    }

    [Fact]
    public void Delete_refuses_with_9_while_a_container_is_attached()
    {
        Volt("net", "create", "--name", "app", "--subnet", "10.50.0.0/24").Code.ShouldBe(0);
        _lab.Manager().AttachAsync("web", "app", new Network.Host.NetnsTarget.Named(_lab.AddNamespace("c1")), []).GetAwaiter().GetResult();
        var r = Volt("net", "delete", "app");
        r.Code.ShouldBe(9);
        r.Err.ShouldContain("web");
        Volt("net", "list").Out.ShouldContain("10.50.0.1           1");
        Volt("net", "status").Out.ShouldContain("web");
    }

    [Fact]
    public void Every_net_command_has_help_examples()
    {
        foreach (var cmd in new[] { new[] { "net" }, ["net", "create"], ["net", "list"], ["net", "delete"], ["net", "status"], ["net", "bridge", "list"],
                     ["net", "connect"], ["net", "disconnect"], ["firewall"], ["firewall", "list"], ["firewall", "add"], ["firewall", "delete"], ["firewall", "reload"] })
            Volt([.. cmd, "--help"]).Out.ShouldContain("Examples:");
    }

    [Fact]
    public void A_bad_network_config_is_exit_12_with_every_error()
    {
        var cfg = _lab.Root.Write("etc/volt/config.yaml", "network:\n  bridge: this-name-is-too-long\n  subnet: 10.0.0.5/24\n");
        var r = Volt("net", "list");
        r.Code.ShouldBe(12);
        r.Err.ShouldContain("network.bridge");
        r.Err.ShouldContain("network.subnet");
        File.Delete(cfg);
    }

    [Fact]
    public void A_connect_killed_between_two_steps_leaves_nothing_half_made_for_the_next_command()
    {
        Volt("net", "create", "a", "--subnet", "10.60.0.0/24").Code.ShouldBe(0);
        var ns = _lab.AddNamespace("c1");
        var veth = NetNames.HostVeth("web");
        foreach (var step in new[] { "lease", "veth", "inside", "nft" })
        {
            var killed = TestEnv.Run("nsenter", [NetnsLab.NetArg(_lab.HostNs), VoltBinary.Path, "net", "connect", "a", "web", "--netns", ns],
                new Dictionary<string, string> { ["VOLT_ROOT"] = _lab.Root.Path, ["VOLT_TEST_NET_KILL_AT"] = step }, null);
            killed.Code.ShouldNotBe(0, $"killed at {step}");
            Directory.EnumerateFiles(Path.Combine(_lab.Paths.Networks, "journal")).ShouldNotBeEmpty($"a journal entry names what {step} left");
            File.Exists(Path.Combine(_lab.Paths.Networks, "attachments", "web@a.json")).ShouldBeFalse("no record before the commit point");

            Volt("net", "status").Code.ShouldBe(0);
            _lab.LinkExists(_lab.HostNs, veth).ShouldBeFalse($"veth undone after a kill at {step}");
            _lab.LinkExists(ns, "eth0").ShouldBeFalse();
            File.ReadAllText(Path.Combine(_lab.Paths.Networks, "a.ipam.json")).ShouldNotContain("web");
            Directory.EnumerateFiles(Path.Combine(_lab.Paths.Networks, "journal")).ShouldBeEmpty();
        }
        var ok = Volt("net", "connect", "a", "web", "--netns", ns, "--alias", "www");
        ok.Code.ShouldBe(0, ok.Err);
        ok.Out.ShouldContain("eth0 10.60.0.2/24");
        _lab.LinkExists(ns, "eth0").ShouldBeTrue();
        Volt("net", "disconnect", "a", "web").Code.ShouldBe(0);
        Volt("net", "disconnect", "a", "web").Code.ShouldBe(3);
        _lab.LinkExists(ns, "eth0").ShouldBeFalse();
    }

    [Fact]
    public void Firewall_add_list_delete_reload_with_exit_codes()
    {
        Volt("net", "create", "back", "--subnet", "10.61.0.0/24", "--internal").Code.ShouldBe(0);
        var add = Volt("firewall", "add", "--from", "back", "--to", "host", "--port", "22/tcp", "--action", "allow", "--name", "ssh");
        add.Code.ShouldBe(0, add.Err);
        Volt("firewall", "add", "--from", "back", "--to", "host", "--action", "allow", "--name", "ssh").Code.ShouldBe(4);
        var unknown = Volt("firewall", "add", "--from", "nobody", "--to", "any", "--action", "deny");
        unknown.Code.ShouldBe(3);
        unknown.Err.ShouldContain("--pending");
        Volt("firewall", "add", "--from", "nobody", "--to", "any", "--action", "deny", "--pending", "--name", "later").Code.ShouldBe(0);
        Volt("firewall", "add", "--from", "any", "--to", "any", "--port", "99999", "--action", "allow").Code.ShouldBe(2);
        Volt("firewall", "add", "--from", "any", "--to", "any", "--action", "maybe").Code.ShouldBe(2);
        Volt("firewall", "add", "--from", "host", "--to", "host", "--action", "allow").Code.ShouldBe(2);
        Volt("firewall", "add", "--from", "10.9.0.0/16", "--to", "back", "--port", "53/udp", "--action", "deny").Code.ShouldBe(0);

        var list = Volt("firewall", "list");
        list.Out.ShouldStartWith("NAME");
        var ssh = list.Out.Split('\n').Single(l => l.StartsWith("ssh ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        ssh.ShouldBe(["ssh", "network:back", "host", "22/tcp", "allow", "user-input"]);
        var json = JsonNode.Parse(Volt("firewall", "list", "-o", "json").Out)!.AsArray();
        json.Select(r => r!["name"]!.GetValue<string>()).ShouldBe(["ssh", "later", "rule-1"]);
        json[2]!["from"]!.GetValue<string>().ShouldBe("cidr:10.9.0.0/16");
        var table = _lab.NftTable();
        table.ShouldContain("ip saddr 10.61.0.0/24 tcp dport 22 accept comment \"fw:ssh\"");
        table.ShouldContain("ip saddr 10.9.0.0/16 ip daddr 10.61.0.0/24 udp dport 53 drop comment \"fw:rule-1\"");

        Volt("firewall", "reload", "--dry-run").Out.ShouldContain("delete table inet volt");
        NetnsLab.MustIn(_lab.HostNs, "nft", "flush", "ruleset");
        Volt("firewall", "reload").Code.ShouldBe(0);
        _lab.NftTable().ShouldContain("fw:ssh");
        Volt("firewall", "delete", "ssh").Code.ShouldBe(0);
        Volt("firewall", "delete", "ssh").Code.ShouldBe(3);
        _lab.NftTable().ShouldNotContain("fw:ssh");
        File.ReadAllText(_lab.Paths.AuditLog).ShouldContain("\"action\":\"firewall.add\",\"resource\":\"ssh\",\"result\":\"success\"");
    }
}
