using System.Net.Sockets;
using System.Text;
using Volt.Core.Errors;

namespace Volt.Mesh.WireGuard;

/// <summary>One peer as the device reports it (UAPI <c>get=1</c>).</summary>
public sealed record WgPeerStatus(string PublicKey, string? Endpoint, IReadOnlyList<string> AllowedIps,
    DateTimeOffset? LastHandshake, long RxBytes, long TxBytes, int Keepalive);

/// <summary>The device as it reports itself.</summary>
public sealed record WgDeviceStatus(string? PrivateKeyHex, int ListenPort, IReadOnlyList<WgPeerStatus> Peers);

/// <summary>One peer to configure (keys base64, as in etcd).</summary>
public sealed record WgPeerConfig(string PublicKey, string? Endpoint, IReadOnlyList<string> AllowedIps, int Keepalive);

/// <summary>
/// wireguard-go's configuration socket (<c>/var/run/wireguard/IFACE.sock</c>), spoken in the cross-platform UAPI
/// text protocol (https://www.wireguard.com/xplatform/): <c>get=1</c> and <c>set=1</c> with key=value lines. No
/// <c>wg</c> process on the data path.
/// </summary>
public sealed class UapiClient(string socketPath)
{
    public const string SocketDir = "/var/run/wireguard";

    public string SocketPath => socketPath;

    public static string SocketFor(string iface) => Path.Combine(SocketDir, iface + ".sock");

    public async Task<WgDeviceStatus> GetAsync(CancellationToken ct = default)
    {
        var lines = await ExchangeAsync("get=1\n\n", ct).ConfigureAwait(false);
        string? priv = null;
        var port = 0;
        var peers = new List<WgPeerStatus>();
        string? pk = null, ep = null;
        List<string> allowed = [];
        long hsSec = 0, hsNsec = 0, rx = 0, tx = 0;
        var ka = 0;
        void Flush()
        {
            if (pk is null) return;
            DateTimeOffset? hs = hsSec == 0 && hsNsec == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(hsSec).AddTicks(hsNsec / 100);
            peers.Add(new WgPeerStatus(Crypto.WgKey.FromHex(pk) ?? pk, ep, allowed, hs, rx, tx, ka));
            pk = null; ep = null; allowed = []; hsSec = hsNsec = rx = tx = 0; ka = 0;
        }
        foreach (var (k, v) in lines)
        {
            switch (k)
            {
                case "private_key": priv = v; break;
                case "listen_port": int.TryParse(v, out port); break;
                case "public_key": Flush(); pk = v; break;
                case "endpoint": ep = v; break;
                case "allowed_ip": allowed.Add(v); break;
                case "last_handshake_time_sec": long.TryParse(v, out hsSec); break;
                case "last_handshake_time_nsec": long.TryParse(v, out hsNsec); break;
                case "rx_bytes": long.TryParse(v, out rx); break;
                case "tx_bytes": long.TryParse(v, out tx); break;
                case "persistent_keepalive_interval": int.TryParse(v, out ka); break;
            }
        }
        Flush();
        return new WgDeviceStatus(priv, port, peers);
    }

    /// <summary>Sets the device's private key and listen port (peers untouched).</summary>
    public Task SetDeviceAsync(byte[]? privateKey, int? listenPort, CancellationToken ct = default)
    {
        var sb = new StringBuilder("set=1\n");
        if (privateKey is not null) sb.Append("private_key=").Append(Crypto.WgKey.ToHex(privateKey)).Append('\n');
        if (listenPort is { } p) sb.Append("listen_port=").Append(p).Append('\n');
        return SetAsync(sb);
    }

    /// <summary>Adds or updates <paramref name="upsert"/> and removes <paramref name="remove"/>, in one request.</summary>
    public Task SetPeersAsync(IEnumerable<WgPeerConfig> upsert, IEnumerable<string> remove, CancellationToken ct = default)
    {
        var sb = new StringBuilder("set=1\n");
        foreach (var k in remove)
            if (Crypto.WgKey.TryParse(k, out var key)) sb.Append("public_key=").Append(Crypto.WgKey.ToHex(key)).Append("\nremove=true\n");
        foreach (var p in upsert)
        {
            if (!Crypto.WgKey.TryParse(p.PublicKey, out var key)) throw new ArgumentException($"invalid peer key {p.PublicKey}");
            sb.Append("public_key=").Append(Crypto.WgKey.ToHex(key)).Append('\n');
            if (p.Endpoint is { } ep) sb.Append("endpoint=").Append(ep).Append('\n');
            sb.Append("persistent_keepalive_interval=").Append(p.Keepalive).Append('\n');
            sb.Append("replace_allowed_ips=true\n");
            foreach (var a in p.AllowedIps) sb.Append("allowed_ip=").Append(a).Append('\n');
        }
        return SetAsync(sb, ct);
    }

    private async Task SetAsync(StringBuilder sb, CancellationToken ct = default)
    {
        sb.Append('\n');
        var lines = await ExchangeAsync(sb.ToString(), ct).ConfigureAwait(false);
        var errno = lines.FirstOrDefault(l => l.Key == "errno").Value;
        if (errno != "0") throw new VoltException(ExitCode.General, $"wireguard refused the configuration (errno={errno ?? "?"}) on {socketPath}");
    }

    private async Task<List<KeyValuePair<string, string>>> ExchangeAsync(string request, CancellationToken ct)
    {
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try { await s.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false); }
        catch (SocketException e)
        {
            var what = e.SocketErrorCode == SocketError.ConnectionRefused ? "refuses connections (its wireguard-go is gone)" : "is not there";
            throw new VoltException(ExitCode.NotFound, $"WireGuard interface socket {socketPath} {what}: {e.Message}", e);
        }
        await s.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, ct).ConfigureAwait(false);
        var buf = new byte[64 * 1024];
        var all = new MemoryStream();
        while (true)
        {
            var n = await s.ReceiveAsync(buf, SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0) break;
            all.Write(buf, 0, n);
            var text = Encoding.ASCII.GetString(all.GetBuffer(), 0, (int)all.Length);
            if (text.EndsWith("\n\n", StringComparison.Ordinal) && text.Contains("errno=", StringComparison.Ordinal)) break;
        }
        var result = new List<KeyValuePair<string, string>>();
        foreach (var line in Encoding.ASCII.GetString(all.GetBuffer(), 0, (int)all.Length).Split('\n'))
        {
            var eq = line.IndexOf('=');
            if (eq > 0) result.Add(new(line[..eq], line[(eq + 1)..]));
        }
        return result;
    }
}
