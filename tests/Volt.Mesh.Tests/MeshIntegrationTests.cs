using System.Text.Json.Nodes;
using Shouldly;
using Volt.Testing;
using Xunit;

namespace Volt.Mesh.Tests;

/// <summary>
/// The mesh with the real thing: three namespaces as hosts, a real etcd-server inside host 1, real wireguard-go, the
/// real volt binary. One scenario in order (each step needs the previous): join, traffic, bad input, leave, etcd
/// restart, kill -9.
/// </summary>
[Collection(MeshLab.Name)]
public sealed class MeshIntegrationTests(MeshNamespaces m) : IClassFixture<MeshNamespaces>
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(15);

    private void Require()
    {
        TestEnv.RequireRoot("network namespaces and WireGuard interfaces");
        TestEnv.RequireTool("wireguard-go");
        TestEnv.RequireTool("etcd");
        TestEnv.RequireTool("wg");
        TestEnv.RequireTool("curl");
        m.Ready.ShouldBeTrue("the namespace fixture did not come up");
    }

    private string Token()
    {
        var r = m.Volt(1, "mesh", "token", "--ttl", "10m");
        r.Code.ShouldBe(0, r.Err);
        return r.Out.Trim();
    }

    private (int Code, string Out, string Err) Join(int i, string token, string? name = null, int? root = null) =>
        m.Volt(root ?? i, "mesh", "join", "--etcd", m.EtcdUrl, "--token", token, "--host-name", name ?? $"h{i}", "--interface", m.Iface(i), "--no-service");

    private JsonNode Status(int i)
    {
        var r = m.Volt(i, "mesh", "status", "-o", "json");
        r.Code.ShouldBe(0, r.Err);
        return JsonNode.Parse(r.Out)!;
    }

    private string MeshIp(int i) => Status(i)["meshIp"]!.GetValue<string>();

    [Fact]
    public void ThreeHosts_JoinTalkLeaveSurviveEtcdRestartAndDropAKilledHost()
    {
        Require();
        // Join: h1 creates the mesh, h2 and h3 join with single-use tokens.
        var init = m.Volt(1, "mesh", "init", "--etcd", m.EtcdUrl, "--name", "t", "--lease-ttl", "3", "--host-name", "h1", "--interface", m.Iface(1), "--no-service");
        init.Code.ShouldBe(0, init.Err);
        m.StartAgent(1);
        var t2 = Token();
        Join(2, t2).Code.ShouldBe(0);
        m.StartAgent(2);
        var again = Join(3, t2, name: "h3");
        again.Code.ShouldBe(5, "a token admits one host: " + again.Err);
        Join(3, Token()).Code.ShouldBe(0);
        m.StartAgent(3);
        for (var i = 1; i <= 3; i++)
        {
            var host = i;
            MeshNamespaces.Eventually(() => m.WgPeers(host).Length == 2, Converge, $"wg show on h{host} to list 2 peers");
        }
        var ip = new[] { "", MeshIp(1), MeshIp(2), MeshIp(3) };
        ip.Skip(1).Distinct().Count().ShouldBe(3);
        MeshNamespaces.Eventually(() => m.Ping(1, ip[3]), Converge, "h1 to ping h3 over the mesh");
        MeshNamespaces.Eventually(() => m.Ping(3, ip[2]), Converge, "h3 to ping h2 over the mesh");

        // A page from h3 fetched by h1 over the mesh.
        File.WriteAllText(Path.Combine(m.Root(3), "index.html"), "hello from h3");
        var http = m.In(3, "sh", "-c", $"cd {m.Root(3)} && (python3 -m http.server 8080 --bind {ip[3]} >/dev/null 2>&1 & echo $!)");
        var httpPid = http.Out.Trim();
        try
        {
            MeshNamespaces.Eventually(() => m.In(1, "curl", "-sf", "--max-time", "2", $"http://{ip[3]}:8080/index.html").Out == "hello from h3", Converge, "h1 to fetch h3's page over the mesh");
        }
        finally { TestEnv.Run("kill", httpPid); }

        // peers: names, subnets, handshakes, traffic.
        var peers = JsonNode.Parse(m.Volt(1, "mesh", "peers", "-o", "json").Out)!.AsArray();
        peers.Select(p => p!["name"]!.GetValue<string>()).ShouldBe(["h2", "h3"]);
        peers[1]!["lastHandshake"].ShouldNotBeNull();
        peers[1]!["rx"]!.GetValue<long>().ShouldBeGreaterThan(0);
        m.Volt(1, "mesh", "peers").Out.ShouldContain("LAST HANDSHAKE");

        // Bad input: nothing is written to etcd by a refused join.
        var keys = m.KeyCount();
        var real = JoinToken.Parse(Token());
        keys = m.KeyCount();
        var forged = real with { Secret = new string('A', 32) };
        var f = m.Volt(2, "mesh", "join", "--etcd", m.EtcdUrl, "--token", forged.ToString(), "--host-name", "h9", "--interface", "vmx" + m.Id, "--no-service", "--root", Path.Combine(m.Dir.Path, "x1"));
        f.Code.ShouldBe(5, f.Err);
        var expired = real with { Expires = DateTimeOffset.UtcNow.AddMinutes(-1) };
        var e = m.Volt(2, "mesh", "join", "--etcd", $"http://{m.Addr(1)}:1", "--token", expired.ToString(), "--host-name", "h9", "--interface", "vmx" + m.Id, "--no-service", "--root", Path.Combine(m.Dir.Path, "x2"));
        e.Code.ShouldBe(5, "an expired token is refused before etcd is asked: " + e.Err);
        var dup = m.Volt(2, "mesh", "join", "--etcd", m.EtcdUrl, "--token", real.ToString(), "--host-name", "h3", "--interface", "vmx" + m.Id, "--no-service", "--root", Path.Combine(m.Dir.Path, "x3"));
        dup.Code.ShouldBe(4, dup.Err);
        var down = m.Volt(2, "mesh", "join", "--etcd", $"http://{m.Addr(1)}:1", "--token", real.ToString(), "--host-name", "h9", "--interface", "vmx" + m.Id, "--no-service", "--root", Path.Combine(m.Dir.Path, "x4"));
        down.Code.ShouldBe(8, down.Err);
        down.Err.ShouldContain($"http://{m.Addr(1)}:1");
        m.KeyCount().ShouldBe(keys);
        m.In(2, "ip", "link", "show", "vmx" + m.Id).Code.ShouldNotBe(0, "a refused join leaves no interface behind");

        // A malformed record and one claiming h2's subnet: ignored and logged, never configured.
        var h2Subnet = Status(2)["subnet"]!.GetValue<string>();
        Put($"/volt/mesh/t/hosts/evil", $"{{\"name\":\"evil\",\"publicKey\":\"bm90LWEta2V5\",\"endpoint\":\"{m.Addr(1)}:9\",\"meshIp\":\"100.96.0.99\",\"subnet\":\"100.97.99.0/24\",\"index\":99}}");
        Put($"/volt/mesh/t/hosts/thief", $"{{\"name\":\"thief\",\"publicKey\":\"{Crypto.WgKey.ToBase64(Crypto.X25519.PublicKey(Crypto.X25519.NewPrivateKey()))}\",\"endpoint\":\"{m.Addr(1)}:9\",\"meshIp\":\"100.96.0.98\",\"subnet\":\"{h2Subnet}\",\"index\":98}}");
        MeshNamespaces.Eventually(() => m.Log("volt-h1.log").Contains("thief: subnet") && m.Log("volt-h1.log").Contains("evil: malformed public key"), Converge, "h1's agent to log both ignored records");
        m.WgPeers(1).Length.ShouldBe(2);
        // Logged once per record version, not on every sync: another change under the prefix makes the agent sync
        // again (peers.json's revision says when), and the lines stay one each.
        var poke = m.Curl(1, "/v3/kv/put", $"{{\"key\":\"{B64("/volt/mesh/t/poke")}\",\"value\":\"{B64("1")}\"}}");
        poke.Code.ShouldBe(0, poke.Err);
        var pokeRev = long.Parse(JsonNode.Parse(poke.Out)!["header"]!["revision"]!.GetValue<string>());
        MeshNamespaces.Eventually(() => PeersRevision(1) >= pokeRev, Converge, "h1's agent to sync past the poke");
        Count(m.Log("volt-h1.log"), "evil: malformed public key").ShouldBe(1);
        Count(m.Log("volt-h1.log"), "thief: subnet").ShouldBe(1);
        Delete("/volt/mesh/t/poke");
        Delete("/volt/mesh/t/hosts/evil");
        Delete("/volt/mesh/t/hosts/thief");

        // Leave: h2's agent stops (as the service would be), it leaves, its peers vanish elsewhere.
        m.StopAgent(2, kill9: false);
        m.Volt(2, "mesh", "leave").Code.ShouldBe(0);
        m.In(2, "ip", "link", "show", m.Iface(2)).Code.ShouldNotBe(0);
        MeshNamespaces.Eventually(() => m.WgPeers(1).Length == 1 && m.WgPeers(3).Length == 1, Converge, "h2 to vanish from h1 and h3");
        m.Ping(1, ip[2]).ShouldBeFalse();

        // etcd stops: forwarding goes on with the last known peers, status says stale; etcd returns: the mesh converges.
        m.StopEtcd();
        m.Ping(1, ip[3]).ShouldBeTrue("the data path does not depend on etcd");
        var stale = Status(1);
        stale["stale"]!.GetValue<bool>().ShouldBeTrue();
        stale["etcdReachable"]!.GetValue<bool>().ShouldBeFalse();
        m.StartEtcd();
        MeshNamespaces.Eventually(() => !Status(1)["stale"]!.GetValue<bool>() && !Status(3)["stale"]!.GetValue<bool>(), Converge, "h1 and h3's agents to reach etcd again");
        Join(2, Token()).Code.ShouldBe(0);
        m.StartAgent(2);
        MeshNamespaces.Eventually(() => m.WgPeers(1).Length == 2 && m.WgPeers(3).Length == 2, Converge, "the rejoined h2 on h1 and h3");
        MeshNamespaces.Eventually(() => m.Ping(3, MeshIp(2)), Converge, "h3 to ping the rejoined h2");

        // kill -9: h3's lease (3 s) expires and its peers drop it.
        m.StopAgent(3, kill9: true);
        MeshNamespaces.Eventually(() => m.WgPeers(1).Length == 1 && m.WgPeers(2).Length == 1, Converge, "h3's lease to expire and h1, h2 to drop it");
        m.Ping(1, MeshIp(2)).ShouldBeTrue();
    }

    private long PeersRevision(int i)
    {
        try { return JsonNode.Parse(File.ReadAllText(Path.Combine(m.Root(i), "var/lib/volt/mesh/peers.json")))?["revision"]?.GetValue<long>() ?? 0; }
        catch (IOException) { return 0; }
        catch (System.Text.Json.JsonException) { return 0; }
    }

    private static int Count(string text, string what)
    {
        var n = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    private void Put(string key, string value) =>
        m.Curl(1, "/v3/kv/put", $"{{\"key\":\"{B64(key)}\",\"value\":\"{B64(value)}\"}}").Code.ShouldBe(0);

    private void Delete(string key) => m.Curl(1, "/v3/kv/deleterange", $"{{\"key\":\"{B64(key)}\"}}").Code.ShouldBe(0);

    private static string B64(string s) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(s));
}
