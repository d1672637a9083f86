using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Shouldly;
using Volt.Testing;
using Xunit;

namespace Volt.Mesh.Tests;

/// <summary>
/// Workloads across the mesh with the real thing: three namespaces as hosts (their own fixture), real etcd, real
/// wireguard-go, real containers (busybox on systemd-nspawn under each host's voltd) on each host's mesh network
/// <c>meshnet</c>, volt-dns on host 1. Then key rotation under a ping loop, <c>volt mesh remove</c>, and
/// <c>--etcd-embedded</c>. Each step needs the previous; every wait has a deadline.
/// </summary>
[Collection(MeshLab.Name)]
public sealed class MeshWorkloadsTests(MeshNamespaces m) : IClassFixture<MeshNamespaces>
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(20);

    private void Require()
    {
        TestEnv.RequireRoot("network namespaces, WireGuard interfaces and containers");
        foreach (var t in new[] { "wireguard-go", "etcd", "wg", "curl", "systemd-nspawn" }) TestEnv.RequireTool(t);
        m.Ready.ShouldBeTrue("the namespace fixture did not come up");
    }

    private (int Code, string Out, string Err) Ok(int i, params string[] args)
    {
        var r = m.Volt(i, args);
        r.Code.ShouldBe(0, $"volt {string.Join(' ', args)} on h{i}: {r.Err}");
        return r;
    }

    private string Token() => Ok(1, "mesh", "token", "--ttl", "10m").Out.Trim();

    private JsonNode Status(int i) => JsonNode.Parse(Ok(i, "mesh", "status", "-o", "json").Out)!;

    private string Image(int i, string page)
    {
        var dir = BusyboxRootfs.Create(Path.Combine(m.Dir.Path, $"img{i}"));
        Directory.CreateDirectory(Path.Combine(dir, "www"));
        File.WriteAllText(Path.Combine(dir, "www", "index.html"), page);
        return dir;
    }

    /// <summary>The container's address on meshnet, as its host's volt-dns lists it.</summary>
    private string Address(int i, string container)
    {
        var rows = JsonNode.Parse(Ok(i, "dns", "list", "-o", "json").Out)!.AsArray();
        var row = rows.FirstOrDefault(r => r!["name"]?.GetValue<string>() == container && r["network"]?.GetValue<string>() == "meshnet" && r["type"]?.GetValue<string>() == "A");
        row.ShouldNotBeNull($"{container} on meshnet in: {rows.ToJsonString()}");
        return row["address"]!.GetValue<string>();
    }

    private (int Code, string Out, string Err) Exec(int i, string container, params string[] cmd) =>
        m.Volt(i, ["container", "exec", container, "--", .. cmd]);

    /// <summary>GET / on port 8080 of <paramref name="host"/> from inside the container, with busybox nc (Debian's static
    /// busybox wget segfaults here, even for an address).</summary>
    private string Fetch(int i, string container, string host) =>
        Exec(i, container, "sh", "-c", $"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 {host} 8080").Out;

    private string Routes(int i) => m.In(i, "ip", "-4", "route", "show", "dev", m.Iface(i), "proto", "static").Out;

    [Fact]
    public void ContainersOnThreeHosts_TalkByAddressAndName_SurviveKeyRotation_AndVanishWithTheirHost()
    {
        Require();
        Ok(1, "mesh", "init", "--etcd", m.EtcdUrl, "--name", "w", "--lease-ttl", "3", "--host-name", "h1", "--interface", m.Iface(1), "--no-service");
        m.StartAgent(1);
        for (var i = 2; i <= 3; i++)
        {
            Ok(i, "mesh", "join", "--etcd", m.EtcdUrl, "--token", Token(), "--host-name", $"h{i}", "--interface", m.Iface(i), "--no-service");
            m.StartAgent(i);
        }
        var subnets = Enumerable.Range(1, 3).Select(i => Status(i)["subnet"]!.GetValue<string>()).ToList();
        subnets.Distinct().Count().ShouldBe(3, "each host's workload subnet is distinct");
        for (var i = 1; i <= 3; i++)
        {
            var host = i;
            var nets = JsonNode.Parse(Ok(i, "net", "list", "-o", "json").Out)!.ToJsonString();
            nets.ShouldContain("meshnet");
            nets.ShouldContain(subnets[i - 1]);
            // Each host routes the two other hosts' subnets into its tunnel.
            MeshNamespaces.Eventually(() => subnets.Where((_, k) => k != host - 1).All(s => Routes(host).Contains(s)), Converge, $"h{host} to route the other hosts' subnets into {m.Iface(host)}");
        }

        // A web server on h3, a client on h1, both on their host's mesh network.
        Ok(3, "run", "-d", "--name", "web", "--network", "meshnet", Image(3, "web on h3"), "--", "httpd", "-f", "-p", "8080", "-h", "/www");
        Ok(1, "run", "-d", "--name", "client", "--network", "meshnet", "--cap-add", "NET_RAW", Image(1, "client on h1"), "--", "sleep", "100000");
        var web = Address(3, "web");
        IPNetworkContains(subnets[2], web).ShouldBeTrue($"web's address {web} is in h3's subnet {subnets[2]}");
        // volt-dns on h1 (its gateways, port 53 inside the namespace only).
        m.Spawned.Add(m.Spawn(1, m.Root(1), VoltBinary.Path, "dns", "serve", "--upstream", "127.0.0.1:9"));

        MeshNamespaces.Eventually(() => Exec(1, "client", "ping", "-c1", "-W1", web).Code == 0, Converge, "the container on h1 to ping the container on h3 by address");
        MeshNamespaces.Eventually(() => Fetch(1, "client", web).Contains("web on h3"), Converge, "h1's container to fetch h3's page by address");
        MeshNamespaces.Eventually(() => m.Volt(1, "dns", "lookup", "web.h3.mesh").Out.Contains(web), Converge, "h1's volt-dns records to hold web.h3.mesh from etcd");
        m.Volt(1, "dns", "lookup", "web").Out.ShouldContain(web, customMessage: "plain NAME answers a remote workload when it is unique");
        m.Volt(1, "dns", "list").Out.ShouldContain("web.h3.mesh");
        MeshNamespaces.Eventually(() => Fetch(1, "client", "web.h3.mesh").Contains("web on h3"), Converge, "h1's container to fetch h3's page by NAME.HOST.mesh");
        MeshNamespaces.Eventually(() => Fetch(1, "client", "web").Contains("web on h3"), Converge, "h1's container to fetch h3's page by plain name");
        Exec(1, "client", "ping", "-c1", "-W2", "web").Code.ShouldBe(0, "ping by name");

        // Firewall rules by workload name across hosts: on h3, a rule naming h1's client (known from etcd) matches
        // client's own address — traffic from meshnet to the mesh is routed, not masqueraded to h1's mesh IP — and it
        // comes before mesh-in. The page stops, ping (another protocol) still passes; the rule deleted, the page is back.
        var client = Address(1, "client");
        MeshNamespaces.Eventually(() => m.Volt(3, "dns", "list").Out.Contains("client.h1.mesh"), Converge, "h3 to know h1's client from etcd");
        Ok(3, "firewall", "add", "--from", "client", "--to", "web", "--port", "8080/tcp", "--action", "deny", "--name", "no-client");
        m.In(3, "nft", "list", "set", "inet", "volt", "wl_client").Out.ShouldContain(client, customMessage: "the remote workload's own address is in its set");
        MeshNamespaces.Eventually(() => !Fetch(1, "client", web).Contains("web on h3"), Converge, "h3's rule by name to stop h1's client fetching the page");
        Exec(1, "client", "ping", "-c1", "-W2", web).Code.ShouldBe(0, "only port 8080 is denied");
        Ok(3, "firewall", "delete", "no-client");
        MeshNamespaces.Eventually(() => Fetch(1, "client", web).Contains("web on h3"), Converge, "the page back once the rule is deleted");
        // The same on the sending host: h1's rule naming h3's web (a remote destination).
        Ok(1, "firewall", "add", "--from", "client", "--to", "web", "--port", "8080/tcp", "--action", "deny", "--name", "no-web");
        MeshNamespaces.Eventually(() => !Fetch(1, "client", "web.h3.mesh").Contains("web on h3"), Converge, "h1's rule naming h3's web to stop the fetch");
        Ok(1, "firewall", "delete", "no-web");
        MeshNamespaces.Eventually(() => Fetch(1, "client", web).Contains("web on h3"), Converge, "the page back once h1's rule is deleted");

        // Key rotation on h3 under a ping loop from h1 (0.2 s apart): at most one handshake retry's worth is lost
        // (REKEY_TIMEOUT, 5 s = 25 pings), and the pings after it get through with the new key.
        var h3Ip = Status(3)["meshIp"]!.GetValue<string>();
        var oldKey = Status(3)["publicKey"]!.GetValue<string>();
        using (var ping = new Process { StartInfo = new ProcessStartInfo("nsenter", [Netns.Enter(m.Ns(1)), "ping", "-n", "-i", "0.2", "-c", "50", "-W", "1", h3Ip]) { RedirectStandardOutput = true } })
        {
            var lines = new List<string>();
            var firstReply = new TaskCompletionSource();
            ping.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (lines) lines.Add(e.Data);
                if (e.Data.Contains("bytes from")) firstReply.TrySetResult();
            };
            ping.Start();
            ping.BeginOutputReadLine();
            try
            {
                firstReply.Task.Wait(TimeSpan.FromSeconds(10)).ShouldBeTrue("h1 to ping h3 before the rotation");
                var newKey = Ok(3, "mesh", "rotate-key").Out;
                newKey.ShouldNotContain(oldKey);
                ping.WaitForExit(30_000).ShouldBeTrue("the ping loop to end");
                ping.WaitForExit();
            }
            finally { if (!ping.HasExited) ping.Kill(); }
            string all;
            lock (lines) all = string.Join('\n', lines);
            var received = int.Parse(Regex.Match(all, @"(\d+) received").Groups[1].Value);
            received.ShouldBeGreaterThanOrEqualTo(25, "at most one handshake retry (5 s of 0.2-s pings) lost across the rotation:\n" + all);
            all.ShouldContain("icmp_seq=50 ", customMessage: "the last ping got through after the rotation:\n" + all);
        }
        var rotated = Status(3)["publicKey"]!.GetValue<string>();
        rotated.ShouldNotBe(oldKey);
        MeshNamespaces.Eventually(() => m.WgPeers(1).Contains(rotated) && !m.WgPeers(1).Contains(oldKey), Converge, "h1 to know h3 by its new key only");
        MeshNamespaces.Eventually(() => Fetch(1, "client", "web.h3.mesh").Contains("web on h3"), Converge, "the page through the rotated tunnel");

        // h3 leaves (its web container still runs there): its route and records vanish on h1.
        m.StopAgent(3, kill9: false);
        var leave = Ok(3, "mesh", "leave");
        leave.Err.ShouldContain("meshnet kept", customMessage: "a network with workloads attached is kept, and said so");
        MeshNamespaces.Eventually(() => !Routes(1).Contains(subnets[2]), Converge, "h3's subnet route to vanish on h1");
        MeshNamespaces.Eventually(() => m.Volt(1, "dns", "lookup", "web.h3.mesh").Code == 3, Converge, "web.h3.mesh to vanish from h1's volt-dns");
        m.Volt(1, "dns", "lookup", "web").Code.ShouldBe(3);
        Exec(1, "client", "ping", "-c1", "-W1", web).Code.ShouldNotBe(0);
        Routes(1).ShouldContain(subnets[1], customMessage: "h2's route stays");

        // volt mesh remove h2 from h1: h2's agent sees the marker and leaves on its own.
        Ok(1, "mesh", "remove", "h2").Out.ShouldContain("Removed h2");
        MeshNamespaces.Eventually(() => m.Agents[2].HasExited, Converge, "h2's agent to see it was removed and exit");
        m.Volt(2, "mesh", "status").Code.ShouldBe(3, "h2 is in no mesh any more");
        m.In(2, "ip", "link", "show", m.Iface(2)).Code.ShouldNotBe(0, "h2's interface is gone");
        MeshNamespaces.Eventually(() => m.WgPeers(1).Length == 0 && !Routes(1).Contains(subnets[1]), Converge, "h2 to vanish from h1's peers and routes");
        m.Volt(1, "mesh", "remove", "h2").Code.ShouldBe(3, "removing a host not in the mesh");
        Ok(2, "net", "list").Out.ShouldNotContain("meshnet", customMessage: "the removed host's mesh network is gone (nothing was attached)");
    }

    // Was explicit (s5): in two full CI runs `mesh init` got "…sock did not answer within 20 s (the socket exists)".
    // Cause: wireguard-go's daemon dies at start when the user's inotify instances are used up (every voltd and
    // volt-dns of 16 test apps holds some), leaving its socket file. Now seen at once, retried, reported with
    // wireguard-go's own error (WgDeviceStartTests), and voltd no longer holds an instance for appsettings reloads.
    [Fact]
    public void EtcdEmbedded_StartsAndSupervisesEtcdAsAService_ThatOthersJoinThrough()
    {
        Require();
        // A fourth root inside h2's namespace (its own voltd), so this test shares nothing with the other one.
        var root = Path.Combine(m.Dir.Path, "embedded");
        m.ExtraRoots.Add(root);
        (int Code, string Out, string Err) V(params string[] args) =>
            TestEnv.Run("nsenter", [Netns.Enter(m.Ns(2)), VoltBinary.Path, .. args], new Dictionary<string, string> { ["VOLT_ROOT"] = root, ["VOLT_COLOR"] = "never" }, null);
        var iface = "vme" + m.Id;
        try
        {
            var init = V("mesh", "init", "--etcd-embedded", "--etcd-listen", m.Addr(2), "--name", "e", "--cidr", "100.64.0.0/12", "--host-name", "e1", "--interface", iface, "--no-service");
            init.Code.ShouldBe(0, init.Err);
            var status = JsonNode.Parse(V("mesh", "status", "-o", "json").Out)!;
            status["etcd"]!.GetValue<string>().ShouldBe($"http://{m.Addr(2)}:2379");
            status["etcdReachable"]!.GetValue<bool>().ShouldBeTrue();
            V("service", "status", "volt-etcd").Out.ShouldContain("running");
            // Another host reaches the embedded etcd over the underlay and joins through it.
            var token = V("mesh", "token").Out.Trim();
            var probe = m.In(3, "curl", "-sf", "--max-time", "3", "-X", "POST", $"http://{m.Addr(2)}:2379/v3/kv/range", "-d", "{\"key\":\"eA==\"}");
            probe.Code.ShouldBe(0, "h3 reaches the embedded etcd: " + probe.Err);
            JoinToken.Parse(token).Mesh.ShouldBe("e");
            // Supervised: killed, voltd starts it again.
            var pid = EtcdPid(root);
            pid.ShouldNotBeNull("etcd-server runs under voltd");
            TestEnv.Run("kill", "-9", pid.Value.ToString());
            MeshNamespaces.Eventually(() => EtcdPid(root) is { } p && p != pid && m.In(2, "curl", "-sf", "--max-time", "1", "-X", "POST", $"http://{m.Addr(2)}:2379/v3/kv/range", "-d", "{\"key\":\"eA==\"}").Code == 0,
                TimeSpan.FromSeconds(30), "voltd to restart the killed etcd and etcd to answer again");
            V("mesh", "leave").Code.ShouldBe(0);
        }
        finally
        {
            V("service", "stop", "volt-etcd");
            TestEnv.Run("nsenter", Netns.Enter(m.Ns(2)), "ip", "link", "del", iface);
        }
    }

    /// <summary>The etcd process whose data directory is under <paramref name="root"/> (by /proc cmdline).</summary>
    private static int? EtcdPid(string root)
    {
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var pid)) continue;
            string cmd;
            try { cmd = File.ReadAllText(Path.Combine(d, "cmdline")); } catch (IOException) { continue; } catch (UnauthorizedAccessException) { continue; }
            var argv = cmd.Split('\0', StringSplitOptions.RemoveEmptyEntries);
            if (argv.Length > 0 && Path.GetFileName(argv[0]) == "etcd" && argv.Any(a => a.StartsWith(root, StringComparison.Ordinal))) return pid;
        }
        return null;
    }

    private static bool IPNetworkContains(string cidr, string ip) => System.Net.IPNetwork.Parse(cidr).Contains(System.Net.IPAddress.Parse(ip));
}

/// <summary>The mesh lab classes run one after the other (each brings up namespaces, etcd and wireguard-go).</summary>
[CollectionDefinition(MeshLab.Name)]
public sealed class MeshLab
{
    public const string Name = "mesh-lab";
}
