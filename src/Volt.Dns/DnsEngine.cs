using System.Net;
using Microsoft.Extensions.Logging;
using Volt.Core.Errors;
using Volt.Core.Paths;
using Volt.Dns.Forwarding;
using Volt.Dns.Records;
using Volt.Dns.Server;
using Volt.Dns.Wire;
using Volt.Network.State;

namespace Volt.Dns;

/// <summary>One row of <c>volt dns list</c>.</summary>
public sealed record DnsListRow(string Name, string Type, string Address, string Network, string Workload, string Kind, bool Alias);

/// <summary>One answer of <c>volt dns lookup</c>.</summary>
public sealed record DnsAnswerRow(string Name, string Type, string Data, uint Ttl);

/// <summary>What <c>volt dns lookup</c> found: the rcode, the answers, and whether the name was local or forwarded.</summary>
public sealed record DnsLookupResult(string Name, string Type, string Status, string Source, string? From, IReadOnlyList<DnsAnswerRow> Answers);

/// <summary>
/// volt-dns as the CLI sees it: the records (<c>volt dns list</c>), one resolution as a workload would get it
/// (<c>volt dns lookup</c>, through the same resolver the server runs), and the server's options.
/// </summary>
public sealed class DnsEngine(VoltPaths paths, DnsConfig config, TimeProvider time, ILoggerFactory logging)
{
    public NetworkStore Store { get; } = new(paths);
    public DnsConfig Config => config;

    /// <summary>Where the forwarding cache is kept between runs.</summary>
    public string CacheFile => Path.Combine(paths.Cache, "dns", "cache.json");

    public DnsRecords Records() => DnsRecords.Build(Store.List(), Store.Attachments(), MeshRecordsFile.Read(MeshRecordsFile.PathOf(paths)));

    public IReadOnlyList<DnsListRow> List()
    {
        var recs = Records();
        var rows = new List<DnsListRow>();
        foreach (var e in recs.Entries.OrderBy(e => e.Network, StringComparer.Ordinal).ThenBy(e => e.Alias).ThenBy(e => e.Name, StringComparer.Ordinal))
        {
            if (!recs.Networks.Any(n => n.Name == e.Network)) continue;
            if (e.Address is { } a) rows.Add(new(e.Name, "A", a.ToString(), e.Network, e.Workload, e.Kind, e.Alias));
            if (e.Address6 is { } a6) rows.Add(new(e.Name, "AAAA", a6.ToString(), e.Network, e.Workload, e.Kind, e.Alias));
        }
        foreach (var e in recs.RemoteEntries)
            rows.Add(new(e.Workload + "." + DnsRecords.MeshDomain, e.Address is null ? "AAAA" : "A", (e.Address ?? e.Address6)!.ToString(), e.Network, e.Workload, e.Kind, false));
        return rows;
    }

    /// <summary>
    /// Resolves <paramref name="name"/> as <paramref name="from"/> (a workload; null = the host, which sees every
    /// network) would through volt-dns; non-local names go to the upstreams. Exit 3 when <paramref name="from"/> is on
    /// no network, 8 when no upstream answers.
    /// </summary>
    public async Task<DnsLookupResult> LookupAsync(string name, string? from, string type, CancellationToken ct = default)
    {
        var qtype = type.ToUpperInvariant() switch
        {
            "A" => DnsConst.A, "AAAA" => DnsConst.Aaaa, "PTR" => DnsConst.Ptr, "ANY" => DnsConst.Any,
            _ => throw VoltException.Usage($"invalid --type \"{type}\": expected A, AAAA, PTR or ANY"),
        };
        var qname = name.TrimEnd('.');
        // An address asked as PTR is looked up by its reverse name, as dig -x does.
        if (qtype == DnsConst.Ptr && IPAddress.TryParse(qname, out var ip)) qname = DnsName.Reverse(ip);
        var recs = Records();
        IReadOnlySet<string>? scope = null;
        if (from is not null)
        {
            scope = recs.ScopeOfWorkload(from.ToLowerInvariant());
            if (scope.Count == 0) throw VoltException.NotFound($"workload \"{from}\" is not attached to any network");
        }
        var query = DnsResponse.Query((ushort)Random.Shared.Next(1, 65536), qname, qtype);
        var resolver = new DnsResolver(() => recs, (uint)config.LocalTtl);
        var buf = new byte[65535];
        var outcome = resolver.Resolve(query, scope, buf, udp: false, out var len, out var q);
        byte[] answer;
        var source = "local";
        if (outcome == Outcome.Forward)
        {
            source = "forwarded";
            var upstreams = Upstreams.Resolve(config.Upstreams, config.ResolvConf, recs.Networks.Select(n => n.Gateway));
            if (upstreams.Count == 0) throw new VoltException(ExitCode.Network, $"\"{qname}\" is not a workload name and no upstream resolver is configured (dns.upstreams, {config.ResolvConf})");
            using var fwd = new Forwarder(upstreams, new ResponseCache(0, time), time);
            answer = await fwd.QueryAsync(query, q, ct).ConfigureAwait(false)
                ?? throw new VoltException(ExitCode.Network, $"no answer for \"{qname}\" from {string.Join(", ", upstreams.Select(Upstreams.Show))}");
        }
        else answer = buf[..len];
        var view = DnsMessageView.TryParse(answer) ?? throw new VoltException(ExitCode.Network, $"malformed answer for \"{qname}\"");
        var rows = view.Records.Where(r => r.Section == 1)
            .Select(r => new DnsAnswerRow(r.Name, DnsConst.TypeName(r.Type), r.DataText(answer), r.Ttl)).ToList();
        return new DnsLookupResult(qname, DnsConst.TypeName(qtype), DnsConst.RcodeName(view.Rcode), source, from, rows);
    }

    /// <summary>The server's options: config plus the command line's overrides.</summary>
    public DnsServerOptions ServerOptions(IReadOnlyList<string> listen, int? port, IReadOnlyList<string> upstreams)
    {
        var p = port ?? config.Port;
        var eps = listen.Select(l => Upstreams.Parse(l, p)).ToList();
        var recs = Records();
        var own = eps.Select(e => e.Address).Concat(recs.Networks.Select(n => n.Gateway));
        return new DnsServerOptions
        {
            Listen = eps, Port = p,
            Upstreams = Upstreams.Resolve(upstreams.Count > 0 ? upstreams : config.Upstreams, config.ResolvConf, own),
            CacheSize = config.CacheSize, CacheFile = config.CacheSize > 0 ? CacheFile : null,
            LocalTtl = (uint)config.LocalTtl, Time = time,
        };
    }

    /// <summary>A record source over this root's network store (what <c>volt dns serve</c> runs).</summary>
    public RecordSource RecordSource() => new(Store, logging.CreateLogger("Volt.Dns"), MeshRecordsFile.PathOf(paths));

    public DnsServer Server(DnsServerOptions options, RecordSource records) => new(options, records, logging.CreateLogger("Volt.Dns"));
}
