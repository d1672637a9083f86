using System.Buffers.Binary;
using System.Net;

namespace Volt.Dns.Wire;

/// <summary>One resource record of a response, by offset into the message.</summary>
public readonly record struct DnsRecord(string Name, ushort Type, ushort Class, uint Ttl, int TtlOffset, int DataOffset, int DataLength, int Section)
{
    /// <summary>The record's data as text: an address, a target name, or hex.</summary>
    public string DataText(ReadOnlySpan<byte> msg)
    {
        var data = msg.Slice(DataOffset, DataLength);
        return Type switch
        {
            DnsConst.A when DataLength == 4 => new IPAddress(data).ToString(),
            DnsConst.Aaaa when DataLength == 16 => new IPAddress(data).ToString(),
            DnsConst.Ptr or DnsConst.Cname or DnsConst.Ns when DnsName.TryRead(msg, DataOffset, out var n, out _) => n,
            _ => Convert.ToHexString(data),
        };
    }
}

/// <summary>A parsed response: rcode, flags and every record (section 1 answer, 2 authority, 3 additional).</summary>
public sealed record DnsMessageView(ushort Id, ushort Flags, int Rcode, string QuestionName, ushort QuestionType, IReadOnlyList<DnsRecord> Records)
{
    public bool Truncated => (Flags & 0x0200) != 0;

    /// <summary>Parses a response; null when it is malformed anywhere (never throws).</summary>
    public static DnsMessageView? TryParse(ReadOnlySpan<byte> msg)
    {
        if (msg.Length < DnsConst.HeaderLength) return null;
        var id = BinaryPrimitives.ReadUInt16BigEndian(msg);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(msg[2..]);
        int qd = DnsName.U16(msg, 4), an = DnsName.U16(msg, 6), ns = DnsName.U16(msg, 8), ar = DnsName.U16(msg, 10);
        if (qd > 1) return null;
        var pos = DnsConst.HeaderLength;
        var qname = "";
        ushort qtype = 0;
        if (qd == 1)
        {
            if (!DnsName.TryRead(msg, pos, out qname, out pos) || pos + 4 > msg.Length) return null;
            qtype = DnsName.U16(msg, pos);
            pos += 4;
        }
        var records = new List<DnsRecord>(an + ns + ar);
        for (var i = 0; i < an + ns + ar; i++)
        {
            if (!DnsName.TryRead(msg, pos, out var name, out pos) || pos + 10 > msg.Length) return null;
            var type = DnsName.U16(msg, pos);
            var cls = DnsName.U16(msg, pos + 2);
            var ttl = BinaryPrimitives.ReadUInt32BigEndian(msg[(pos + 4)..]);
            var rdlen = DnsName.U16(msg, pos + 8);
            if (pos + 10 + rdlen > msg.Length) return null;
            records.Add(new DnsRecord(name, type, cls, ttl, pos + 4, pos + 10, rdlen, i < an ? 1 : i < an + ns ? 2 : 3));
            pos += 10 + rdlen;
        }
        return new DnsMessageView(id, flags, flags & 0xF, qname, qtype, records);
    }
}
