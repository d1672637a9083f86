using System.Buffers.Binary;

namespace Volt.Dns.Wire;

/// <summary>One answer record volt-dns writes for a local name: an address (A/AAAA) or a name (PTR).</summary>
public readonly record struct LocalAnswer(ushort Type, ReadOnlyMemory<byte> Address, string? Target)
{
    public static LocalAnswer ForAddress(System.Net.IPAddress ip) =>
        new(ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? DnsConst.A : DnsConst.Aaaa, ip.GetAddressBytes(), null);

    public static LocalAnswer ForPtr(string target) => new(DnsConst.Ptr, default, target);
}

/// <summary>
/// Writes responses into a caller's buffer: the query's header and question echoed, then answers whose owner name is a
/// pointer to the question (0xC00C). Every write is bounds-checked; an answer that does not fit sets TC.
/// </summary>
public static class DnsResponse
{
    /// <summary>A header-plus-question response with <paramref name="rcode"/> and no records (errors, NXDOMAIN, NODATA).</summary>
    public static int Status(ReadOnlySpan<byte> query, in DnsQuery q, byte rcode, bool authoritative, Span<byte> dst) =>
        Answers(query, q, rcode, authoritative, [], 0, dst);

    /// <summary>
    /// The response to <paramref name="q"/>: its question (when it parsed; only the header for a header-level reject),
    /// <paramref name="answers"/> with <paramref name="ttl"/>, and an OPT record when the query had one. The response
    /// is at most <paramref name="dst"/>'s length (over UDP: <see cref="DnsQuery.UdpLimit"/>); what does not fit sets TC.
    /// </summary>
    public static int Answers(ReadOnlySpan<byte> query, in DnsQuery q, byte rcode, bool authoritative,
        ReadOnlySpan<LocalAnswer> answers, uint ttl, Span<byte> dst)
    {
        var withQuestion = q.QuestionEnd > DnsConst.HeaderLength && q.QuestionEnd <= query.Length;
        var questionLength = withQuestion ? q.QuestionEnd - DnsConst.HeaderLength : 0;
        if (dst.Length < DnsConst.HeaderLength + questionLength) return 0;
        var limit = dst.Length;
        BinaryPrimitives.WriteUInt16BigEndian(dst, q.Id);
        // QR, opcode 0, AA as asked, RD copied, RA (volt-dns forwards), rcode.
        var flags = (ushort)(0x8000 | (authoritative ? 0x0400 : 0) | (q.Flags & 0x0100) | 0x0080 | (rcode & 0xF));
        BinaryPrimitives.WriteUInt16BigEndian(dst[2..], flags);
        BinaryPrimitives.WriteUInt16BigEndian(dst[4..], (ushort)(withQuestion ? 1 : 0));
        dst[6..12].Clear();
        query.Slice(DnsConst.HeaderLength, questionLength).CopyTo(dst[DnsConst.HeaderLength..]);
        var pos = DnsConst.HeaderLength + questionLength;
        var opt = q.Edns ? 11 : 0;
        ushort count = 0;
        Span<byte> target = stackalloc byte[DnsName.MaxLength + 1];
        foreach (var a in answers)
        {
            var rdata = a.Type == DnsConst.Ptr ? (DnsName.TryWrite(a.Target ?? "", target, out var n) ? target[..n] : default) : a.Address.Span;
            if (rdata.IsEmpty) continue;
            var size = 12 + rdata.Length;
            if (pos + size + opt > limit)
            {
                dst[2] |= 0x02; // TC: the client retries over TCP
                break;
            }
            BinaryPrimitives.WriteUInt16BigEndian(dst[pos..], 0xC00C);
            BinaryPrimitives.WriteUInt16BigEndian(dst[(pos + 2)..], a.Type);
            BinaryPrimitives.WriteUInt16BigEndian(dst[(pos + 4)..], DnsConst.ClassIn);
            BinaryPrimitives.WriteUInt32BigEndian(dst[(pos + 6)..], ttl);
            BinaryPrimitives.WriteUInt16BigEndian(dst[(pos + 10)..], (ushort)rdata.Length);
            rdata.CopyTo(dst[(pos + 12)..]);
            pos += size;
            count++;
        }
        BinaryPrimitives.WriteUInt16BigEndian(dst[6..], count);
        if (opt > 0 && pos + opt <= dst.Length)
        {
            dst[pos] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(dst[(pos + 1)..], DnsConst.Opt);
            BinaryPrimitives.WriteUInt16BigEndian(dst[(pos + 3)..], DnsConst.MaxUdpAnswer);
            dst.Slice(pos + 5, 6).Clear(); // extended rcode, version, flags, rdlength 0
            BinaryPrimitives.WriteUInt16BigEndian(dst[10..], 1);
            pos += opt;
        }
        return pos;
    }

    /// <summary>A query for <paramref name="name"/> (what <c>volt dns lookup</c> sends through the resolver).</summary>
    public static byte[] Query(ushort id, string name, ushort type)
    {
        Span<byte> buf = stackalloc byte[DnsConst.HeaderLength + DnsName.MaxLength + 5];
        BinaryPrimitives.WriteUInt16BigEndian(buf, id);
        BinaryPrimitives.WriteUInt16BigEndian(buf[2..], 0x0100); // RD
        BinaryPrimitives.WriteUInt16BigEndian(buf[4..], 1);
        buf[6..12].Clear();
        if (!DnsName.TryWrite(name, buf[12..], out var n))
            throw Core.Errors.VoltException.Usage($"invalid DNS name \"{name}\": labels of 1-63 printable characters, 255 in all");
        BinaryPrimitives.WriteUInt16BigEndian(buf[(12 + n)..], type);
        BinaryPrimitives.WriteUInt16BigEndian(buf[(14 + n)..], DnsConst.ClassIn);
        return buf[..(16 + n)].ToArray();
    }
}
