using System.Net;
using ReturnCode = ARSoft.Tools.Net.Dns.ReturnCode;
using Microsoft.Extensions.Logging.Abstractions;
using Shouldly;
using Volt.Dns.Records;
using Volt.Dns.Server;
using Volt.Dns.Wire;
using Xunit;

namespace Volt.Dns.Tests.Server;

/// <summary>
/// The server in-process on loopback: networks whose gateways and workload addresses are 127.x addresses, so the
/// asker's source address picks its scope without root; a real dnsmasq as the upstream.
/// </summary>
public sealed class ServerTests : IDisposable
{
    private readonly StoreFixture _f = new();
    private readonly RecordSource _records;
    private DnsServer? _server;

    public ServerTests()
    {
        _f.Network("front", "127.10.0.0/24", "127.10.0.1");
        _f.Network("back", "127.20.0.0/24", "127.20.0.1");
        _f.Attach("web", "front", "127.10.0.2");
        _f.Attach("db", "back", "127.20.0.2");
        _f.Attach("api", "front", "127.10.0.3");
        _f.Attach("api", "back", "127.20.0.3");
        _records = new RecordSource(_f.Store, NullLogger.Instance);
        _records.Start();
    }

    private IPEndPoint Start(params IPEndPoint[] upstreams)
    {
        _server = new DnsServer(new DnsServerOptions
        {
            Listen = [new IPEndPoint(IPAddress.Parse("127.0.0.1"), 0)], Upstreams = upstreams, CacheFile = _f.Dir.Combine("cache", "dns", "cache.json"),
        }, _records, NullLogger.Instance);
        _server.Start();
        return _server.Endpoints.Single();
    }

    private static async Task<(ReturnCode, string)> Udp(IPEndPoint server, string name, string from, ushort type = DnsConst.A)
    {
        var a = await Ask.UdpAsync(server, Ask.Query(name, type), IPAddress.Parse(from));
        a.ShouldNotBeNull($"no answer for {name} from {from}");
        return (Ask.Parse(a).ReturnCode, string.Join(",", Ask.Data(a).Order()));
    }

    [Fact]
    public async Task Udp_and_tcp_answer_workload_names_by_the_askers_networks()
    {
        var ep = Start();
        (await Udp(ep, "db", "127.10.0.3")).ShouldBe((ReturnCode.NoError, "127.20.0.2"));
        (await Udp(ep, "db", "127.10.0.2")).Item1.ShouldBe(ReturnCode.NxDomain);
        var tcp = await Ask.TcpAsync(ep, Ask.Query("web.front.volt"));
        Ask.Data(tcp).ShouldBe(["127.10.0.2"]);
        _server!.Stats.Local.ShouldBe(3);
    }

    [Fact]
    public async Task An_attachment_written_or_removed_changes_the_answer_as_soon_as_the_watcher_fires()
    {
        var ep = Start();
        (await Udp(ep, "cache", "127.10.0.2")).Item1.ShouldBe(ReturnCode.NxDomain);

        var changed = NextChange();
        _f.Attach("cache", "front", "127.10.0.9", aliases: ["redis"]);
        await changed;
        (await Udp(ep, "redis", "127.10.0.2")).Item2.ShouldBe("127.10.0.9");

        changed = NextChange();
        _f.Attach("cache", "front", "127.10.0.10"); // a new address: the file is replaced by rename
        await changed;
        (await Udp(ep, "cache", "127.10.0.2")).Item2.ShouldBe("127.10.0.10");

        changed = NextChange();
        _f.Store.DeleteAttachment("cache", "front");
        await changed;
        (await Udp(ep, "cache", "127.10.0.2")).Item1.ShouldBe(ReturnCode.NxDomain);
    }

    /// <summary>Completes on the next snapshot that differs from the current one (the watcher's event, not a sleep).</summary>
    private Task NextChange()
    {
        var before = _records.Current;
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void On(DnsRecords r)
        {
            if (ReferenceEquals(r, before) || r.Entries.SequenceEqual(before.Entries)) return;
            _records.Changed -= On;
            tcs.TrySetResult();
        }
        _records.Changed += On;
        return tcs.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Other_names_are_forwarded_to_the_upstream_cached_and_kept_across_a_restart()
    {
        // Its own free port, retried if another test's dnsmasq took it first: once, a taken port left this test asking
        // the other test's dnsmasq (which knows no host record), and db.zone.test came back as 192.0.2.10.
        var upstream = Dnsmasq.OnLoopback("--address=/zone.test/192.0.2.10", "--host-record=db.zone.test,192.0.2.11");
        var up = upstream.Endpoint;
        var ep = Start(up);
        using (upstream)
        {
            (ReturnCode, string) first = default;
            // dnsmasq binds a moment after it starts: the first answers may still be SERVFAIL-less timeouts.
            for (var i = 0; i < 50 && string.IsNullOrEmpty(first.Item2); i++)
            {
                var a = await Ask.UdpAsync(ep, Ask.Query("www.zone.test"), IPAddress.Loopback);
                if (a is not null) first = (Ask.Parse(a).ReturnCode, string.Join(",", Ask.Data(a)));
            }
            first.ShouldBe((ReturnCode.NoError, "192.0.2.10"));
            Ask.Data(await Ask.TcpAsync(ep, Ask.Query("db.zone.test"))).ShouldBe(["192.0.2.11"]);
            (await Udp(ep, "nosuch.example", "127.10.0.2")).Item1.ShouldBeOneOf(ReturnCode.Refused, ReturnCode.ServerFailure); // dnsmasq has no upstream for it
        }
        // The upstream is gone: cached answers still come, with their TTL counting down.
        var cached = await Ask.UdpAsync(ep, Ask.Query("www.zone.test"), IPAddress.Loopback);
        Ask.Data(cached!).ShouldBe(["192.0.2.10"]);
        Ask.Parse(cached!).AnswerRecords[0].TimeToLive.ShouldBeInRange(1, 60);
        _server!.Stats.Cached.ShouldBeGreaterThan(0);

        _server.Dispose();
        _server = null;
        File.Exists(_f.Dir.Combine("cache", "dns", "cache.json")).ShouldBeTrue();
        var again = Start(up);
        Ask.Data((await Ask.UdpAsync(again, Ask.Query("WWW.zone.test"), IPAddress.Loopback))!).ShouldBe(["192.0.2.10"]);
    }

    [Fact]
    public async Task Without_an_upstream_other_names_are_servfail()
    {
        var ep = Start();
        (await Udp(ep, "debian.org", "127.10.0.2")).Item1.ShouldBe(ReturnCode.ServerFailure);
    }

    [Fact]
    public async Task Garbage_oversized_queries_and_a_burst_of_random_names_are_answered_or_refused_and_the_server_keeps_answering()
    {
        using var upstream = Dnsmasq.OnLoopback("--address=/zone.test/192.0.2.10");
        var up = upstream.Endpoint;
        var ep = Start(up);
        using var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var rnd = new Random(5);
        for (var i = 0; i < 2000; i++)
        {
            var junk = new byte[rnd.Next(0, 1500)];
            rnd.NextBytes(junk);
            s.SendTo(junk, ep);
        }
        s.SendTo(new byte[9000], ep); // oversized
        for (var i = 0; i < 1000; i++) s.SendTo(Ask.Query($"r{rnd.Next()}.zone{i % 7}.test", id: (ushort)i), ep);
        for (var i = 0; i < 1000; i++) s.SendTo(Ask.Query($"r{rnd.Next()}", id: (ushort)i), ep);
        // A TCP client that sends a huge length and nothing else, and one that sends a bad message.
        using var slow = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await slow.ConnectAsync(ep);
        await slow.SendAsync(new byte[] { 0xFF, 0xFF, 1, 2, 3 });
        var formerr = await Ask.TcpAsync(ep, [0, 1, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0]);
        Ask.Parse(formerr).ReturnCode.ShouldBe(ReturnCode.FormatError);

        (await Udp(ep, "web", "127.10.0.3")).Item2.ShouldBe("127.10.0.2");
        (await Udp(ep, "ok.zone.test", "127.10.0.3")).Item2.ShouldBe("192.0.2.10");
        _server!.Forwarder.PendingCount.ShouldBeLessThanOrEqualTo(Volt.Dns.Forwarding.Forwarder.MaxPending);
        (_server.Stats.Rejected + _server.Stats.Dropped).ShouldBeGreaterThan(0);
    }

    public void Dispose()
    {
        _server?.Dispose();
        _records.Dispose();
        _f.Dispose();
    }
}
