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
        TestEnv.Run("ip", ["netns", "exec", _lab.HostNs, VoltBinary.Path, .. args],
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
        status["bridges"]!.AsArray().Count.ShouldBe(1);

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
        foreach (var cmd in new[] { new[] { "net" }, ["net", "create"], ["net", "list"], ["net", "delete"], ["net", "status"], ["net", "bridge", "list"] })
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
}
