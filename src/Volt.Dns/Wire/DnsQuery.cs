using System.Buffers.Binary;

namespace Volt.Dns.Wire;

/// <summary>DNS constants (RFC 1035, 3596, 6891) volt-dns uses.</summary>
public static class DnsConst
{
    public const ushort A = 1, Ns = 2, Cname = 5, Soa = 6, Ptr = 12, Aaaa = 28, Opt = 41, Any = 255;
    public const ushort ClassIn = 1;
    public const byte NoError = 0, FormErr = 1, ServFail = 2, NxDomain = 3, NotImp = 4, Refused = 5;
    public const int HeaderLength = 12;
    /// <summary>Longest query volt-dns reads (UDP datagram or TCP message): a question is at most 255 + 4 bytes plus an
    /// OPT record; anything longer is answered FORMERR.</summary>
    public const int MaxQueryLength = 4096;
    /// <summary>Largest UDP answer volt-dns sends itself (RFC 6891's safe 1232); a longer one is truncated (TC).</summary>
    public const int MaxUdpAnswer = 1232;

    public static string TypeName(ushort type) => type switch
    {
        A => "A", Ns => "NS", Cname => "CNAME", Soa => "SOA", Ptr => "PTR", Aaaa => "AAAA", Opt => "OPT", Any => "ANY",
        15 => "MX", 16 => "TXT", 33 => "SRV",
        _ => "TYPE" + type.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static string RcodeName(int rcode) => rcode switch
    {
        NoError => "NOERROR", FormErr => "FORMERR", ServFail => "SERVFAIL", NxDomain => "NXDOMAIN", NotImp => "NOTIMP",
        Refused => "REFUSED", _ => "RCODE" + rcode.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>What to do with a datagram that is not a well-formed single-question query.</summary>
public enum QueryVerdict
{
    /// <summary>A query with one question: answer or forward it.</summary>
    Ok,
    /// <summary>Too short to carry an id, or itself a response: nothing sensible to send back (no reflection loops).</summary>
    Drop,
    /// <summary>A header that can be answered with the given rcode (FORMERR, NOTIMP).</summary>
    Reject,
}

/// <summary>
/// One parsed query: header fields, the question (name lower-cased in <see cref="Name"/>, its wire bytes kept by
/// offset) and whether it carried EDNS. Parsing is bounds-checked everywhere; it never throws on any input.
/// </summary>
public readonly struct DnsQuery
{
    public ushort Id { get; init; }
    public ushort Flags { get; init; }
    public string Name { get; init; }
    public ushort Type { get; init; }
    public ushort Class { get; init; }
    /// <summary>Offset just after the question's type and class.</summary>
    public int QuestionEnd { get; init; }
    public bool Edns { get; init; }
    public ushort UdpPayload { get; init; }
    /// <summary>The largest UDP response this client takes: 512, or its EDNS size up to <see cref="DnsConst.MaxUdpAnswer"/>.</summary>
    public int UdpLimit => Edns ? Math.Min((int)UdpPayload, DnsConst.MaxUdpAnswer) : 512;
    public bool RecursionDesired => (Flags & 0x0100) != 0;
    public int Opcode => (Flags >> 11) & 0xF;

    /// <summary>Parses <paramref name="msg"/>; on <see cref="QueryVerdict.Reject"/> <paramref name="rcode"/> says why and
    /// <paramref name="query"/> carries the id and flags to answer with.</summary>
    public static QueryVerdict Parse(ReadOnlySpan<byte> msg, out DnsQuery query, out byte rcode)
    {
        query = default;
        rcode = DnsConst.NoError;
        if (msg.Length < DnsConst.HeaderLength) return QueryVerdict.Drop;
        var id = BinaryPrimitives.ReadUInt16BigEndian(msg);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(msg[2..]);
        if ((flags & 0x8000) != 0) return QueryVerdict.Drop; // a response, not a query
        query = new DnsQuery { Id = id, Flags = flags, Name = "" };
        if (msg.Length > DnsConst.MaxQueryLength) { rcode = DnsConst.FormErr; return QueryVerdict.Reject; }
        if (((flags >> 11) & 0xF) != 0) { rcode = DnsConst.NotImp; return QueryVerdict.Reject; }
        var qd = BinaryPrimitives.ReadUInt16BigEndian(msg[4..]);
        var an = BinaryPrimitives.ReadUInt16BigEndian(msg[6..]);
        var ns = BinaryPrimitives.ReadUInt16BigEndian(msg[8..]);
        var ar = BinaryPrimitives.ReadUInt16BigEndian(msg[10..]);
        if (qd != 1 || an != 0 || ns != 0) { rcode = DnsConst.FormErr; return QueryVerdict.Reject; }
        Span<char> name = stackalloc char[256];
        if (!DnsName.ReadUncompressed(msg, DnsConst.HeaderLength, name, out var nameLength, out var pos) || pos + 4 > msg.Length)
        {
            rcode = DnsConst.FormErr;
            return QueryVerdict.Reject;
        }
        var type = BinaryPrimitives.ReadUInt16BigEndian(msg[pos..]);
        var cls = BinaryPrimitives.ReadUInt16BigEndian(msg[(pos + 2)..]);
        pos += 4;
        var questionEnd = pos;
        var edns = false;
        ushort payload = 512;
        // EDNS: an OPT record (root name, type 41) right after the question; anything else in "additional" is ignored.
        if (ar >= 1 && pos + 11 <= msg.Length && msg[pos] == 0 && BinaryPrimitives.ReadUInt16BigEndian(msg[(pos + 1)..]) == DnsConst.Opt)
        {
            edns = true;
            payload = Math.Max((ushort)512, BinaryPrimitives.ReadUInt16BigEndian(msg[(pos + 3)..]));
        }
        query = new DnsQuery
        {
            Id = id, Flags = flags, Name = new string(name[..nameLength]), Type = type, Class = cls, QuestionEnd = questionEnd,
            Edns = edns, UdpPayload = payload,
        };
        return QueryVerdict.Ok;
    }
}
