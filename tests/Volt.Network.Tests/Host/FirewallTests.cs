using System.Diagnostics;
using Shouldly;
using Volt.Core.Errors;
using Volt.Network.Addressing;
using Volt.Network.Host;
using Xunit;

namespace Volt.Network.Tests.Host;

/// <summary>The firewall in table inet volt, end to end with real packets between namespaces the lab creates.</summary>
public sealed class FirewallTests : IDisposable
{
    private readonly NetnsLab _lab = new();

    public void Dispose() => _lab.Dispose();

    private static string[] In(string ns) => NetnsLab.In(ns);

    [Fact]
    public async Task Different_networks_are_isolated_and_an_allow_rule_opens_one_port_only()
    {
        var m = _lab.Manager();
        await m.CreateAsync("a", "10.1.0.0/24");
        await m.CreateAsync("b", "10.2.0.0/24");
        var (c1, c2) = (_lab.AddNamespace("c1"), _lab.AddNamespace("c2"));
        await m.AttachAsync("front", "a", new NetnsTarget.Named(c1), []);
        var db = await m.AttachAsync("db", "b", new NetnsTarget.Named(c2), []);
        _lab.StartTcpServer(In(c2), 8080, "db8080");
        _lab.StartTcpServer(In(c2), 8081, "db8081");

        NetnsLab.FetchOnce(c1, db.Address, 8080).ShouldBe("", "networks a and b are isolated");
        await m.AddRuleAsync("front-db", "front", "db", "8080/tcp", "allow", pending: false);
        _lab.Fetch(c1, db.Address, 8080).ShouldBe("hello from db8080");
        NetnsLab.FetchOnce(c1, db.Address, 8081).ShouldBe("", "the rule opens 8080 only");
        _lab.NftTable().ShouldContain("ip saddr @wl_front ip daddr @wl_db tcp dport 8080 accept comment \"fw:front-db\"");

        await m.DeleteRuleAsync("front-db");
        NetnsLab.FetchOnce(c1, db.Address, 8080).ShouldBe("");
    }

    /// <summary>
    /// Two workloads on ONE network (one bridge): the frames between them are switched at layer 2. With br_netfilter
    /// passing them to the inet hooks (sysctl 1) the rule applies in table inet volt; without it (sysctl 0 in this lab's
    /// namespace, as on a kernel without the module) Volt renders it into table bridge volt as well.
    /// </summary>
    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    public async Task A_deny_between_two_workloads_on_the_same_network_drops_that_port_only(string brNetfilter)
    {
        // Without the module there is no sysctl: that is the "0" case already; the "1" case needs the module.
        var set = NetnsLab.RunIn(_lab.HostNs, "sysctl", "-q", "-w", "net.bridge.bridge-nf-call-iptables=" + brNetfilter).Code == 0;
        if (brNetfilter == "1" && !set) Assert.Skip("br_netfilter is not loaded on this kernel (the bridge-table case covers it)");
        var m = _lab.Manager();
        await m.CreateAsync("a", "10.1.0.0/24");
        var (c1, c2) = (_lab.AddNamespace("c1"), _lab.AddNamespace("c2"));
        var front = await m.AttachAsync("front", "a", new NetnsTarget.Named(c1), []);
        var db = await m.AttachAsync("db", "a", new NetnsTarget.Named(c2), []);
        _lab.StartTcpServer(In(c2), 8080, "db8080");
        _lab.StartTcpServer(In(c2), 8081, "db8081");
        _lab.StartTcpServer(In(c1), 9090, "front9090");
        _lab.Fetch(c1, db.Address, 8080).ShouldBe("hello from db8080", "one network talks freely");

        await m.AddRuleAsync("no-db", "front", "db", "8080/tcp", "deny", pending: false);
        NetnsLab.FetchOnce(c1, db.Address, 8080).ShouldBe("", "the deny between two workloads on one bridge must drop");
        _lab.Fetch(c1, db.Address, 8081).ShouldBe("hello from db8081");
        _lab.Fetch(c2, front.Address, 9090).ShouldBe("hello from front9090", "the other direction is not denied");
        var bridge = NetnsLab.RunIn(_lab.HostNs, "nft", "list", "table", "bridge", "volt");
        if (brNetfilter == "0") bridge.Out.ShouldContain("comment \"fw:no-db\"");
        else bridge.Code.ShouldNotBe(0, "with br_netfilter the inet table alone filters bridged traffic");

        await m.DeleteRuleAsync("no-db");
        _lab.Fetch(c1, db.Address, 8080).ShouldBe("hello from db8080");
    }

    [Fact]
    public async Task A_deny_rule_blocks_one_port_to_the_outside_and_not_another()
    {
        _lab.AddOutside(9000, 9001);
        var m = _lab.Manager();
        var c1 = _lab.AddNamespace("c1");
        await m.AttachAsync("web", null, new NetnsTarget.Named(c1), []);
        await m.AddRuleAsync("no-9001", "web", "192.168.99.1", "9001", "deny", pending: false);
        _lab.Fetch(c1, "192.168.99.1", 9000).ShouldBe("192.168.99.2");
        NetnsLab.FetchOnce(c1, "192.168.99.1", 9001).ShouldBe("");
    }

    [Fact]
    public async Task An_internal_network_reaches_its_peers_and_nothing_outside()
    {
        _lab.AddOutside(9000);
        var m = _lab.Manager();
        var net = await m.CreateAsync("int", "10.3.0.0/24", new NetworkCreateOptions { Internal = true });
        net.Internal.ShouldBeTrue();
        var (c1, c2) = (_lab.AddNamespace("c1"), _lab.AddNamespace("c2"));
        await m.AttachAsync("app", "int", new NetnsTarget.Named(c1), []);
        var peer = await m.AttachAsync("peer", "int", new NetnsTarget.Named(c2), []);
        _lab.StartTcpServer(In(c2), 8080, "peer");

        _lab.Fetch(c1, peer.Address, 8080).ShouldBe("hello from peer");
        NetnsLab.FetchOnce(c1, "192.168.99.1", 9000).ShouldBe("");
        _lab.Ip(c1, "route").Out.ShouldNotContain("default", customMessage: "no route out of an internal network");
        _lab.NftTable().ShouldNotContain("masquerade comment \"net:int\"");
    }

    [Fact]
    public async Task A_long_lived_tcp_connection_survives_firewall_reload()
    {
        var m = _lab.Manager();
        await m.CreateAsync("a", "10.1.0.0/24");
        await m.CreateAsync("b", "10.2.0.0/24");
        var (c1, c2) = (_lab.AddNamespace("c1"), _lab.AddNamespace("c2"));
        await m.AttachAsync("client", "a", new NetnsTarget.Named(c1), []);
        var srv = await m.AttachAsync("server", "b", new NetnsTarget.Named(c2), []);
        await m.AddRuleAsync("c-s", "client", "server", "7000/tcp", "allow", pending: false);
        var echo = "import socket,threading\ns=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n" +
                   "s.bind(('0.0.0.0',7000)); s.listen(4)\ndef h(c):\n  while True:\n    d=c.recv(100)\n    if not d: break\n    c.sendall(b'echo '+d)\n" +
                   "while True:\n  c,_=s.accept(); threading.Thread(target=h,args=(c,),daemon=True).start()\n";
        _lab.StartProcess([.. In(c2), NetnsLab.Python, "-c", echo]);
        NetnsLab.WaitFor(() => NetnsLab.Run([.. In(c2), "ss", "-Hltn", "sport = :7000"]).Out.Contains("LISTEN"), "echo server");

        var flag = Path.Combine(_lab.Root.Path, "go");
        var client = "import socket,os,time,sys\ns=socket.create_connection(('" + srv.Address + "',7000),timeout=5)\n" +
                     "s.sendall(b'one'); print(s.recv(100).decode(), flush=True)\n" +
                     $"while not os.path.exists('{flag}'): time.sleep(0.02)\n" +
                     "s.sendall(b'two'); print(s.recv(100).decode(), flush=True)\n";
        var psi = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { NetnsLab.NetArg(c1), NetnsLab.Python, "-c", client }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        try
        {
            (await p.StandardOutput.ReadLineAsync())!.ShouldBe("echo one");
            var before = _lab.NftTable();
            await m.ReloadAsync();
            _lab.NftTable().ShouldBe(before, "a reload rebuilds the same table");
            await File.WriteAllTextAsync(flag, "");
            (await p.StandardOutput.ReadLineAsync())!.ShouldBe("echo two", customMessage: await p.StandardError.ReadToEndAsync());
            await p.WaitForExitAsync();
            p.ExitCode.ShouldBe(0);
        }
        finally
        {
            if (!p.HasExited) p.Kill();
        }
    }

    [Fact]
    public async Task Reload_brings_the_table_back_after_nft_flush_ruleset()
    {
        _lab.AddOutside(9000);
        var m = _lab.Manager();
        var c1 = _lab.AddNamespace("c1");
        await m.AttachAsync("web", null, new NetnsTarget.Named(c1), []);
        _lab.Fetch(c1, "192.168.99.1", 9000).ShouldBe("192.168.99.2");

        NetnsLab.MustIn(_lab.HostNs, "nft", "flush", "ruleset");
        NetnsLab.FetchOnce(c1, "192.168.99.1", 9000).ShouldBe("", "without the masquerade rule replies cannot come back");
        var count = await m.ReloadAsync();
        // The count comes from the script applied; nft's own listing of the table agrees.
        var listed = NetnsLab.RunIn(_lab.HostNs, "nft", "-a", "list", "table", "inet", "volt").Out
            .Split('\n').Count(l => l.Contains("# handle ") && !l.TrimStart().StartsWith("chain ") && !l.TrimStart().StartsWith("set ") && !l.TrimStart().StartsWith("table "));
        count.ShouldBeGreaterThan(0);
        count.ShouldBe(listed);
        _lab.Fetch(c1, "192.168.99.1", 9000).ShouldBe("192.168.99.2");
        _lab.NftTable().ShouldContain("chain forward");
    }

    [Fact]
    public async Task A_name_rule_follows_the_workloads_address_through_its_set_without_a_rebuild()
    {
        var m = _lab.Manager();
        var c1 = _lab.AddNamespace("c1");
        (await Should.ThrowAsync<VoltException>(() => m.AddRuleAsync("r", "any", "late", "80", "allow", pending: false)))
            .Code.ShouldBe(ExitCode.NotFound);
        (await m.AddRuleAsync("r", "any", "late", "80", "allow", pending: true)).Pending.ShouldBeTrue();
        string Handles() => NetnsLab.RunIn(_lab.HostNs, "nft", "-a", "list", "chain", "inet", "volt", "user-forward").Out;
        string Set() => NetnsLab.RunIn(_lab.HostNs, "nft", "list", "set", "inet", "volt", "wl_late").Out;
        await m.EnsureDefaultAsync();
        var handles = Handles();

        var a = await m.AttachAsync("late", null, new NetnsTarget.Named(c1), []);
        Set().ShouldContain(a.Address);
        Handles().ShouldBe(handles, "the set changed in place; the rule was not re-created");

        await m.DetachAsync("late");
        Set().ShouldNotContain(a.Address);
    }

    [Fact]
    public async Task A_published_port_respects_a_host_input_policy_of_drop_until_a_rule_allows_it()
    {
        var outside = _lab.AddOutside();
        var m = _lab.Manager();
        var c1 = _lab.AddNamespace("c1");
        await m.AttachAsync("web", null, new NetnsTarget.Named(c1), [PortMapping.Parse("18080:8080")]);
        _lab.StartTcpServer(In(c1), 8080, "web");
        _lab.Fetch(outside, "192.168.99.2", 18080).ShouldBe("hello from web", "host input policy accept: published from outside");

        NetnsLab.MustIn(_lab.HostNs, "nft", "add table inet hostfw; add chain inet hostfw input { type filter hook input priority 0; policy drop; }");
        await m.ReloadAsync();
        NetnsLab.FetchOnce(outside, "192.168.99.2", 18080).ShouldBe("", "the host drops input: a published port is no hole in it");
        NetnsLab.RunIn(_lab.HostNs, "nft", "list", "table", "inet", "hostfw").Out.ShouldContain("policy drop", customMessage: "Volt never touches other tables");

        await m.AddRuleAsync("web-in", "any", "web", "8080/tcp", "allow", pending: false);
        _lab.Fetch(outside, "192.168.99.2", 18080).ShouldBe("hello from web");
    }
}
