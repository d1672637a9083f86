using System.Net;
using System.Text.Json.Nodes;
using Shouldly;
using Volt.Core.Paths;
using Volt.Dns.Tests.Server;
using Volt.Testing;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Services;
using Xunit;

namespace Volt.Dns.Tests.Host;

/// <summary><c>volt dns list|lookup|install-service</c> through the real binary on a temp root's records.</summary>
public sealed class CliTests : IDisposable
{
    private readonly StoreFixture _f = new();

    public CliTests()
    {
        _f.Network("front", "10.1.0.0/24", "10.1.0.1", "fd00:1::/64", "fd00:1::1");
        _f.Network("back", "10.2.0.0/24", "10.2.0.1");
        _f.Attach("web", "front", "10.1.0.2", "fd00:1::2");
        _f.Attach("api", "front", "10.1.0.3");
        _f.Attach("api", "back", "10.2.0.3");
        _f.Attach("db", "back", "10.2.0.2", aliases: ["postgres"]);
        _f.Attach("vm1", "back", "10.2.0.9", kind: "vm");
    }

    private (int Code, string Out, string Err) Volt(params string[] args) => VoltBinary.Run(_f.Dir.Path, args);

    [Fact]
    public void List_shows_name_type_address_network_and_json_carries_workload_kind_and_alias()
    {
        var t = Volt("dns", "list");
        t.Code.ShouldBe(0, t.Err);
        var lines = t.Out.TrimEnd().Split('\n');
        lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).ShouldBe(["NAME", "TYPE", "ADDRESS", "NETWORK"]);
        lines.ShouldContain(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).SequenceEqual(new[] { "web", "AAAA", "fd00:1::2", "front" }));
        var json = JsonNode.Parse(Volt("dns", "list", "-o", "json").Out)!.AsArray();
        var pg = json.Single(n => (string?)n!["name"] == "postgres")!;
        ((string?)pg["workload"], (string?)pg["address"], (bool?)pg["alias"]).ShouldBe(("db", "10.2.0.2", true));
        ((string?)json.Single(n => (string?)n!["name"] == "vm1")!["kind"]).ShouldBe("vm");
        Volt("dns", "list", "-o", "yaml").Out.ShouldContain("network: back");
    }

    [Fact]
    public void Lookup_applies_the_scope_of_from_and_exits_3_when_the_name_does_not_exist_for_it()
    {
        var ok = Volt("dns", "lookup", "db", "--from", "api");
        ok.Code.ShouldBe(0, ok.Err);
        ok.Out.ShouldContain("10.2.0.2");
        var no = Volt("dns", "lookup", "db", "--from", "web");
        no.Code.ShouldBe(3);
        no.Err.Trim().ShouldBe("Error: \"db\" does not exist for \"web\" (local)");
        Volt("dns", "lookup", "db").Code.ShouldBe(0);                         // the host sees every network
        Volt("dns", "lookup", "web", "--type", "AAAA", "--from", "api").Out.ShouldContain("fd00:1::2");
        Volt("dns", "lookup", "db", "--type", "AAAA").Code.ShouldBe(3);        // NODATA
        JsonNode.Parse(Volt("dns", "lookup", "10.2.0.2", "--type", "PTR", "-o", "json").Out)!["answers"]![0]!["data"]!.GetValue<string>().ShouldBe("db.back.volt");
        Volt("dns", "lookup", "db", "--from", "ghost").Code.ShouldBe(3);
        Volt("dns", "lookup", "db", "--type", "MX").Code.ShouldBe(2);
        Volt("dns", "lookup", "bad..name").Code.ShouldBe(2);
    }

    [Fact]
    public void Lookup_of_another_name_goes_to_the_configured_upstream_and_exit_8_without_one()
    {
        using var dnsmasq = Dnsmasq.OnLoopback("--address=/zone.test/192.0.2.10");
        var up = dnsmasq.Endpoint;
        _f.Dir.Write("etc/volt/config.yaml", $"dns:\n  upstreams: [\"127.0.0.1:{up.Port}\"]\n  resolv_conf: /nonexistent\n");
        (int Code, string Out, string Err) r = (1, "", "");
        for (var i = 0; i < 20 && r.Code != 0; i++) r = Volt("dns", "lookup", "www.zone.test", "-o", "json");
        r.Code.ShouldBe(0, r.Err);
        var j = JsonNode.Parse(r.Out!)!;
        ((string?)j["source"], (string?)j["answers"]![0]!["data"]).ShouldBe(("forwarded", "192.0.2.10"));

        _f.Dir.Write("etc/volt/config.yaml", "dns:\n  resolv_conf: /nonexistent\n");
        Volt("dns", "lookup", "www.zone.test").Code.ShouldBe(8);
        _f.Dir.Write("etc/volt/config.yaml", "dns:\n  upstreams: [\"not an address\"]\n");
        Volt("dns", "list").Code.ShouldBe(12);
    }

    [Fact]
    public void Install_service_writes_a_unit_systemd_analyze_accepts_and_refuses_bad_addresses()
    {
        var r = Volt("dns", "install-service", "--listen", "127.0.0.1:5399", "--upstream", "192.0.2.1");
        r.Code.ShouldBe(0, r.Err);
        var unit = new ServiceStore(_f.Paths).UnitFile("volt-dns");
        var text = File.ReadAllText(unit);
        text.ShouldContain("dns serve --listen 127.0.0.1:5399 --upstream 192.0.2.1");
        Volt("dns", "install-service", "--listen", "nope").Code.ShouldBe(2);
        TestEnv.RequireTool("systemd-analyze");
        var verify = TestEnv.Run("systemd-analyze", "verify", unit);
        (verify.Code, verify.Err.Trim()).ShouldBe((0, ""));
    }

    [Fact]
    public async Task Volt_service_start_runs_volt_dns_under_voltd()
    {
        TestEnv.RequireRoot("services run in cgroups of their own");
        var root = _f.Dir.Path;
        var paths = new VoltPaths(root);
        var store = new ServiceStore(paths);
        var port = Dnsmasq.FreePort();
        try
        {
            // A VM's attachment (the seed's "VM db"): voltd's container orphan collector, run at its start, used to take it
            // (and its record) away. The fixture's container attachments have no container record: those it collects rightly.
            _f.Attach("vmdb", "back", "10.2.0.9", kind: "vm");
            Volt("dns", "install-service", "--listen", $"127.0.0.1:{port}").Code.ShouldBe(0);
            var start = Volt("service", "start", "volt-dns");
            start.Code.ShouldBe(0, start.Err);
            byte[]? answer = null;
            // The service needs a moment to bind: ask until it answers (each ask waits up to 5 s for a reply).
            for (var i = 0; i < 100 && answer is null; i++)
            {
                answer = await Ask.UdpAsync(new IPEndPoint(IPAddress.Loopback, port), Ask.Query("vmdb"));
                if (answer is null) await Task.Delay(50);
            }
            answer.ShouldNotBeNull("volt-dns under voltd never answered");
            Ask.Parse(answer).TransactionID.ShouldBe((ushort)0x1234);
            Ask.Data(answer).ShouldBe(["10.2.0.9"], "the VM's record survives voltd's start");
            Volt("service", "status", "volt-dns").Out.ShouldContain("running");
            Volt("service", "stop", "volt-dns").Code.ShouldBe(0);
        }
        finally
        {
            if (File.Exists(paths.PidFile) && int.TryParse(File.ReadAllText(paths.PidFile).Trim(), out var d)) Volt_Kill(d);
            if (store.State("volt-dns").Pid is { } p) Volt_Kill(p);
            var cgroups = CgroupDetector.Detect(paths);
            var cg = ServiceStore.CgroupName("volt-dns");
            if (cgroups.Exists(cg)) { foreach (var p2 in cgroups.Pids(cg)) Volt_Kill(p2); try { cgroups.Delete(cg); } catch (IOException) { } }
            RemoveCgroupParent(CgroupDetector.ParentFor(paths));
        }
    }

    private static void Volt_Kill(int pid)
    {
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); p.Kill(); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception) { }
    }

    private static void RemoveCgroupParent(string parent)
    {
        foreach (var dir in Directory.GetDirectories("/sys/fs/cgroup").Append("/sys/fs/cgroup"))
        {
            var p = Path.Combine(dir, parent);
            if (Directory.Exists(p)) RmTree(p);
        }
    }

    private static void RmTree(string dir)
    {
        foreach (var c in Directory.GetDirectories(dir)) RmTree(c);
        try { Directory.Delete(dir); } catch (IOException) { }
    }

    public void Dispose() => _f.Dispose();
}
