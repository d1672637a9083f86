using System.Net;
using System.Text.Json.Nodes;
using Volt.Core.Config;
using YamlDotNet.RepresentationModel;

namespace Volt.Dns;

/// <summary><c>dns:</c> in config.yaml: how volt-dns forwards, caches and answers (docs/dns.md).</summary>
public sealed class DnsConfig : ConfigSection
{
    public override string Key => "dns";

    /// <summary>Where non-local names go; empty = the host's <see cref="ResolvConf"/> nameservers.</summary>
    public List<string> Upstreams { get; set; } = [];
    /// <summary>The host resolv.conf the default upstreams come from.</summary>
    public string ResolvConf { get; set; } = "/etc/resolv.conf";
    /// <summary>Port volt-dns listens on at each gateway.</summary>
    public int Port { get; set; } = 53;
    /// <summary>Most forwarded answers kept in the cache (0 = no cache).</summary>
    public int CacheSize { get; set; } = 10_000;
    /// <summary>TTL of workload names' answers: 0, as dnsmasq's local names, so a changed address is seen at once.</summary>
    public int LocalTtl { get; set; }

    public override JsonNode Show() => new JsonObject
    {
        ["upstreams"] = new JsonArray([.. Upstreams.Select(u => (JsonNode)JsonValue.Create(u))]),
        ["resolv_conf"] = ResolvConf, ["port"] = Port, ["cache_size"] = CacheSize, ["local_ttl"] = LocalTtl,
    };

    public override void Bind(ConfigBinder b, YamlNode value) => b.Map(value, "dns.", new()
    {
        ["upstreams"] = v => Upstreams = UpstreamList(b, v) ?? Upstreams,
        ["resolv_conf"] = v => ResolvConf = b.Str(v, "dns.resolv_conf") ?? ResolvConf,
        ["port"] = v => Port = b.Int(v, "dns.port", 1, 65535) ?? Port,
        ["cache_size"] = v => CacheSize = b.Int(v, "dns.cache_size", 0, 1_000_000) ?? CacheSize,
        ["local_ttl"] = v => LocalTtl = b.Int(v, "dns.local_ttl", 0, 86400) ?? LocalTtl,
    });

    private static List<string>? UpstreamList(ConfigBinder b, YamlNode n)
    {
        if (n is not YamlSequenceNode seq) { b.Add(n, "dns.upstreams must be a list of addresses (ADDR or ADDR:PORT)"); return null; }
        var list = new List<string>();
        foreach (var item in seq)
        {
            var s = b.Str(item, "dns.upstreams[]");
            if (s is null) continue;
            if (IPAddress.TryParse(s, out _) || (IPEndPoint.TryParse(s, out var ep) && ep.Port > 0)) list.Add(s);
            else b.Add(item, $"dns.upstreams has \"{s}\"; expected ADDR or ADDR:PORT");
        }
        return list;
    }
}
