using System.Diagnostics;
using System.Net;
using Shouldly;
using Volt.Dns.Tests.Server;
using Volt.Testing;
using Xunit;

namespace Volt.Dns.Tests.Host;

/// <summary>
/// The real binary (<c>volt dns serve</c>) in a network namespace the test creates, listening on the gateways of two
/// networks (addresses on the namespace's loopback), queried by Debian's <c>dig</c> from workload addresses, forwarding to a
/// dnsmasq upstream inside the same namespace. Dispose kills both by PID and deletes the namespace.
/// </summary>
public sealed class NetnsTests : IDisposable
{
    private readonly StoreFixture _f = new();
    private readonly string _ns = "volt-test-dns-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<Process> _procs = [];
    private Dnsmasq? _upstream;
    private bool _created;

    public NetnsTests()
    {
        TestEnv.RequireRoot("creates a network namespace");
        TestEnv.RequireTool("ip");
        TestEnv.RequireTool("dig");
        TestEnv.RequireTool("dnsmasq");
        Must("ip", "netns", "add", _ns);
        _created = true;
        In("ip", "link", "set", "lo", "up");
        // Gateways, workload addresses and the upstream all on the namespace's loopback (no dummy module needed).
        foreach (var a in new[] { "10.89.0.1/24", "10.89.0.2/24", "10.89.0.3/24", "10.90.0.1/24", "10.90.0.2/24", "10.90.0.3/24", "10.99.0.53/32" })
            In("ip", "addr", "add", a, "dev", "lo").Code.ShouldBe(0);
        _f.Network("front", "10.89.0.0/24", "10.89.0.1");
        _f.Network("back", "10.90.0.0/24", "10.90.0.1");
        _f.Attach("web", "front", "10.89.0.2");
        _f.Attach("api", "front", "10.89.0.3");
        _f.Attach("api", "back", "10.90.0.3");
        _f.Attach("db", "back", "10.90.0.2", aliases: ["postgres"]);
    }

    private void Must(string file, params string[] args)
    {
        var r = TestEnv.Run(file, args);
        r.Code.ShouldBe(0, $"{file} {string.Join(' ', args)}: {r.Err}");
    }

    private (int Code, string Out, string Err) In(string file, params string[] args) => TestEnv.Run("nsenter", [Netns.Enter(_ns), file, .. args]);

    private string Dig(params string[] args) => In("dig", ["+tries=1", "+time=3", .. args]).Out;

    /// <summary>Starts <c>volt dns serve</c> in the namespace; returns once it has printed that it listens.</summary>
    private async Task<Process> ServeAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("nsenter", [Netns.Enter(_ns), VoltBinary.Path, "dns", "serve", .. args])
        {
            RedirectStandardError = true, RedirectStandardOutput = true,
        };
        psi.Environment["VOLT_ROOT"] = _f.Dir.Path;
        psi.Environment["VOLT_COLOR"] = "never";
        var p = Process.Start(psi)!;
        _procs.Add(p);
        p.BeginOutputReadLine();
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var err = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) { ready.TrySetException(new InvalidOperationException("volt dns serve exited: " + err)); return; }
            lock (err) err.AppendLine(e.Data);
            if (e.Data.Contains("listening on")) ready.TrySetResult(e.Data);
        };
        p.BeginErrorReadLine();
        (await ready.Task.WaitAsync(TimeSpan.FromSeconds(60))).ShouldContain("10.89.0.1:53");
        return p;
    }

    [Fact]
    public async Task Dig_resolves_by_scope_explicit_names_aliases_ptr_over_udp_and_tcp_and_forwards_the_rest()
    {
        _upstream = new Dnsmasq(new IPEndPoint(IPAddress.Parse("10.99.0.53"), 53), _ns, "--address=/zone.test/192.0.2.10");
        await ServeAsync("--upstream", "10.99.0.53");

        Dig("+short", "-b", "10.89.0.3", "@10.89.0.1", "db").Trim().ShouldBe("10.90.0.2");       // api shares back with db
        Dig("-b", "10.89.0.2", "@10.89.0.1", "db").ShouldContain("status: NXDOMAIN");            // web does not
        Dig("+short", "+tcp", "-b", "10.90.0.3", "@10.90.0.1", "web.front.volt").Trim().ShouldBe("10.89.0.2");
        Dig("+short", "-b", "10.90.0.3", "@10.90.0.1", "postgres").Trim().ShouldBe("10.90.0.2");
        Dig("+short", "-b", "10.90.0.3", "@10.90.0.1", "-x", "10.90.0.2").Trim().ShouldBe("db.back.volt.");
        var aaaa = Dig("-b", "10.89.0.3", "@10.89.0.1", "db", "AAAA");
        aaaa.ShouldContain("status: NOERROR");
        aaaa.ShouldContain("ANSWER: 0");

        // Forwarded: the upstream inside the namespace answers, then the cache does once it is gone.
        string fwd = "";
        for (var i = 0; i < 20 && fwd != "192.0.2.10"; i++) fwd = Dig("+short", "-b", "10.89.0.2", "@10.89.0.1", "www.zone.test").Trim();
        fwd.ShouldBe("192.0.2.10");
        _upstream.Dispose();
        _upstream = null;
        Dig("+short", "-b", "10.89.0.2", "@10.89.0.1", "www.zone.test").Trim().ShouldBe("192.0.2.10");
        In("dig", "+tries=1", "+time=8", "-b", "10.89.0.2", "@10.89.0.1", "other.zone.test").Out
            .ShouldContain("status: SERVFAIL", customMessage: "the upstream is gone: SERVFAIL once the forward times out");
    }

    [Fact]
    public async Task Garbage_and_a_thousand_random_names_a_second_leave_it_answering_with_flat_memory()
    {
        _upstream = new Dnsmasq(new IPEndPoint(IPAddress.Parse("10.99.0.53"), 53), _ns, "--address=/zone.test/192.0.2.10");
        var server = await ServeAsync("--upstream", "10.99.0.53");
        Dig("+short", "-b", "10.89.0.3", "@10.89.0.1", "db").Trim().ShouldBe("10.90.0.2");
        var before = Rss(server.Id);
        // 3 rounds: 2000 garbage datagrams (some oversized) and 1000 random names (local and forwarded) each second.
        var script = """
import os, random, socket, struct, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.89.0.2", 0))
r = random.Random(7)
def q(name, i):
    body = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    return struct.pack(">HHHHHH", i & 0xFFFF, 0x0100, 1, 0, 0, 0) + body + struct.pack(">HH", 1, 1)
for sec in range(3):
    t = time.time()
    for i in range(2000):
        s.sendto(os.urandom(r.randint(0, 1600 if i % 100 else 9000)), ("10.89.0.1", 53))
    for i in range(1000):
        name = "n%d.zone.test" % r.randint(0, 10**9) if i % 2 else "x%d" % r.randint(0, 10**9)
        s.sendto(q(name, i), ("10.89.0.1", 53))
    time.sleep(max(0, 1 - (time.time() - t)))
""";
        var path = _f.Dir.Write("burst.py", script);
        In("python3", path).Code.ShouldBe(0);
        Dig("+short", "-b", "10.89.0.3", "@10.89.0.1", "db").Trim().ShouldBe("10.90.0.2");
        Dig("+short", "-b", "10.89.0.3", "@10.89.0.1", "ok.zone.test").Trim().ShouldBe("192.0.2.10");
        server.HasExited.ShouldBeFalse();
        var after = Rss(server.Id);
        (after - before).ShouldBeLessThan(64L << 20, $"RSS grew from {before >> 20} MiB to {after >> 20} MiB");

        TestEnv.Run("kill", "-TERM", server.Id.ToString()).Code.ShouldBe(0);
        await server.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        // A graceful stop saves the cache (the forwarded names above are in it).
        File.Exists(_f.Dir.Combine("var", "cache", "volt", "dns", "cache.json")).ShouldBeTrue();
    }

    private static long Rss(int pid) =>
        long.Parse(File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;

    public void Dispose()
    {
        foreach (var p in _procs)
        {
            try { if (!p.HasExited) { p.Kill(); p.WaitForExit(5000); } } catch (InvalidOperationException) { }
            p.Dispose();
        }
        _upstream?.Dispose();
        if (_created) TestEnv.Run("ip", "netns", "delete", _ns);
        _f.Dispose();
    }
}
