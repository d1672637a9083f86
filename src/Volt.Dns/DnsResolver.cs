using System.Net;
using Volt.Dns.Records;
using Volt.Dns.Wire;

namespace Volt.Dns;

/// <summary>What DnsResolver.Resolve decided for one datagram.</summary>
public enum Outcome
{
    /// <summary>The response is in the caller's buffer.</summary>
    Answered,
    /// <summary>Not a local name: forward it upstream (or answer from the cache).</summary>
    Forward,
    /// <summary>Nothing to send (too short to answer, or itself a response).</summary>
    Drop,
}

/// <summary>
/// The local half of volt-dns, free of sockets: parses a query, applies the scope rule to workload names and writes
/// the answer (A, AAAA, PTR; NODATA for other types of a known name; NXDOMAIN for unknown local names), or says the
/// name is to be forwarded. Never throws on any input.
/// </summary>
public sealed class DnsResolver(Func<DnsRecords> records, uint localTtl = 0)
{
    public uint LocalTtl => localTtl;

    /// <summary>Resolves <paramref name="query"/> from <paramref name="source"/> into <paramref name="response"/> (cut to
    /// the client's UDP size when <paramref name="udp"/>).</summary>
    public Outcome Resolve(ReadOnlySpan<byte> query, IPAddress source, Span<byte> response, bool udp, out int length, out DnsQuery q) =>
        Resolve(query, records().ScopeOf(source), response, udp, out length, out q);

    /// <summary>As <see cref="Resolve(ReadOnlySpan{byte}, IPAddress, Span{byte}, bool, out int, out DnsQuery)"/> for an asker
    /// whose networks are known (<c>volt dns lookup --from</c>); null = every network.</summary>
    public Outcome Resolve(ReadOnlySpan<byte> query, IReadOnlySet<string>? scope, Span<byte> response, bool udp, out int length, out DnsQuery q)
    {
        length = 0;
        var verdict = DnsQuery.Parse(query, out q, out var rcode);
        if (udp) response = response[..Math.Min(response.Length, q.UdpLimit)];
        switch (verdict)
        {
            case QueryVerdict.Drop: return Outcome.Drop;
            case QueryVerdict.Reject:
                length = DnsResponse.Status(query, q, rcode, false, response);
                return length > 0 ? Outcome.Answered : Outcome.Drop;
        }
        if (q.Class != DnsConst.ClassIn && q.Class != 255)
        {
            length = DnsResponse.Status(query, q, DnsConst.Refused, false, response);
            return Outcome.Answered;
        }
        var recs = records();
        if (!recs.IsLocal(q.Name)) return Outcome.Forward;

        if (q.Type == DnsConst.Ptr || DnsRecords.ReverseAddress(q.Name) is not null)
        {
            var targets = recs.FindReverse(q.Name, scope);
            if (targets is null) { length = DnsResponse.Status(query, q, DnsConst.NxDomain, true, response); return Outcome.Answered; }
            Span<LocalAnswer> ptrs = new LocalAnswer[Math.Min(targets.Count, 16)];
            var n = 0;
            if (q.Type is DnsConst.Ptr or DnsConst.Any) foreach (var t in targets) { if (n == ptrs.Length) break; ptrs[n++] = LocalAnswer.ForPtr(t); }
            length = DnsResponse.Answers(query, q, DnsConst.NoError, true, ptrs[..n], localTtl, response);
            return Outcome.Answered;
        }

        var entries = recs.Find(q.Name, scope);
        if (entries is null) { length = DnsResponse.Status(query, q, DnsConst.NxDomain, true, response); return Outcome.Answered; }
        var list = new LocalAnswer[Math.Min(entries.Count * 2, 64)];
        var count = 0;
        foreach (var e in entries)
        {
            if (count + 2 > list.Length) break;
            if (e.Address is { } a && q.Type is DnsConst.A or DnsConst.Any && !Contains(list, count, a)) list[count++] = LocalAnswer.ForAddress(a);
            if (e.Address6 is { } a6 && q.Type is DnsConst.Aaaa or DnsConst.Any && !Contains(list, count, a6)) list[count++] = LocalAnswer.ForAddress(a6);
        }
        // A known name without records of the asked type: NOERROR with no answers (NODATA), never NXDOMAIN, so a
        // client asking A and AAAA together keeps the A.
        length = DnsResponse.Answers(query, q, DnsConst.NoError, true, list.AsSpan(0, count), localTtl, response);
        return Outcome.Answered;
    }

    private static bool Contains(LocalAnswer[] list, int count, IPAddress ip)
    {
        var bytes = ip.GetAddressBytes();
        for (var i = 0; i < count; i++) if (list[i].Address.Span.SequenceEqual(bytes)) return true;
        return false;
    }
}
