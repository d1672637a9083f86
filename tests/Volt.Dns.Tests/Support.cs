using System.Net;
using System.Net.Sockets;
using Volt.Core.Paths;
using Volt.Dns.Wire;
using Volt.Network.State;
using Volt.Testing;

namespace Volt.Dns.Tests;

/// <summary>A temp VOLT_ROOT whose network store the test fills with networks and attachments, as the network engine would.</summary>
public sealed class StoreFixture : IDisposable
{
    public TempDir Dir { get; } = new("volt-dns");
    public VoltPaths Paths => new(Dir.Path);
    public NetworkStore Store => new(Paths);

    public NetworkRecord Network(string name, string subnet, string gateway, string? subnet6 = null, string? gateway6 = null)
    {
        var n = new NetworkRecord(name, "volt-" + name, subnet, gateway, DateTimeOffset.UtcNow) { Subnet6 = subnet6, Gateway6 = gateway6 };
        Store.Save(n);
        return n;
    }

    public AttachmentRecord Attach(string workload, string network, string address, string? address6 = null, string[]? aliases = null, string kind = "container")
    {
        var n = Store.TryGet(network)!;
        var a = new AttachmentRecord(workload, network, n.Bridge, address, 24, n.Gateway, "vh-" + workload, "eth0", [], DateTimeOffset.UtcNow)
        {
            Address6 = address6, Aliases = aliases ?? [], Kind = kind,
        };
        Store.SaveAttachment(a);
        return a;
    }

    public void Dispose() => Dir.Dispose();
}

/// <summary>A UDP/TCP DNS client for tests: sends volt-dns's own query bytes, parses answers with ARSoft.Tools.Net.</summary>
public static class Ask
{
    public static byte[] Query(string name, ushort type = DnsConst.A, ushort id = 0x1234) => DnsResponse.Query(id, name, type);

    public static ARSoft.Tools.Net.Dns.DnsMessage Parse(byte[] answer) => ARSoft.Tools.Net.Dns.DnsMessage.Parse(answer);

    /// <summary>One UDP exchange from <paramref name="source"/> (a loopback address: the asker's identity); null on a 5 s timeout.</summary>
    public static async Task<byte[]?> UdpAsync(IPEndPoint server, byte[] query, IPAddress? source = null)
    {
        using var c = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        c.Bind(new IPEndPoint(source ?? IPAddress.Loopback, 0));
        await c.SendToAsync(query, server);
        var buf = new byte[65535];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            var r = await c.ReceiveFromAsync(buf, new IPEndPoint(IPAddress.Any, 0), cts.Token);
            return buf[..r.ReceivedBytes];
        }
        catch (OperationCanceledException) { return null; }
    }

    public static async Task<byte[]> TcpAsync(IPEndPoint server, byte[] query)
    {
        using var c = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await c.ConnectAsync(server);
        var framed = new byte[query.Length + 2];
        framed[0] = (byte)(query.Length >> 8);
        framed[1] = (byte)query.Length;
        query.CopyTo(framed, 2);
        await c.SendAsync(framed);
        var len = new byte[2];
        await ReadAsync(c, len);
        var msg = new byte[(len[0] << 8) | len[1]];
        await ReadAsync(c, msg);
        return msg;
    }

    private static async Task ReadAsync(Socket c, byte[] buf)
    {
        var read = 0;
        while (read < buf.Length)
        {
            var n = await c.ReceiveAsync(buf.AsMemory(read));
            if (n == 0) throw new IOException("connection closed");
            read += n;
        }
    }

    /// <summary>The A/AAAA/PTR data of the answer section, as text.</summary>
    public static List<string> Data(byte[] answer) => [.. Parse(answer).AnswerRecords.Select(r => r switch
    {
        ARSoft.Tools.Net.Dns.ARecord a => a.Address.ToString(),
        ARSoft.Tools.Net.Dns.AaaaRecord a => a.Address.ToString(),
        ARSoft.Tools.Net.Dns.PtrRecord p => p.PointerDomainName.ToString().TrimEnd('.'),
        _ => r.ToString(),
    })];
}
