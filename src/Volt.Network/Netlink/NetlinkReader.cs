using System.Buffers.Binary;

namespace Volt.Network.Netlink;

/// <summary>One message of a kernel reply: its type, sequence number and the bytes after the 16-byte header.</summary>
internal readonly record struct NetlinkMessage(ushort Type, ushort Flags, uint Seq, ReadOnlyMemory<byte> Payload)
{
    public const ushort Error = 2, Done = 3;

    /// <summary>For an <c>NLMSG_ERROR</c>: 0 (an acknowledgement) or the positive errno.</summary>
    public int ErrorCode => -BinaryPrimitives.ReadInt32LittleEndian(Payload.Span);

    /// <summary>Splits a <c>recv</c> buffer into its messages (a truncated tail is an error, never read past).</summary>
    public static List<NetlinkMessage> Parse(ReadOnlySpan<byte> data, byte[] owner, int offset = 0)
    {
        var list = new List<NetlinkMessage>();
        var at = 0;
        while (at + NetlinkWriter.HeaderLength <= data.Length)
        {
            var len = (int)BinaryPrimitives.ReadUInt32LittleEndian(data[at..]);
            if (len < NetlinkWriter.HeaderLength || at + len > data.Length)
                throw new InvalidDataException($"netlink message of length {len} at {at} does not fit the {data.Length}-byte reply");
            list.Add(new NetlinkMessage(
                BinaryPrimitives.ReadUInt16LittleEndian(data[(at + 4)..]),
                BinaryPrimitives.ReadUInt16LittleEndian(data[(at + 6)..]),
                BinaryPrimitives.ReadUInt32LittleEndian(data[(at + 8)..]),
                owner.AsMemory(offset + at + NetlinkWriter.HeaderLength, len - NetlinkWriter.HeaderLength)));
            at += NetlinkWriter.Align(len);
        }
        return list;
    }

    /// <summary>The attributes after a fixed header of <paramref name="fixedLength"/> bytes: (type without the nested/
    /// byte-order bits, value).</summary>
    public IEnumerable<(ushort Type, ReadOnlyMemory<byte> Value)> Attributes(int fixedLength) => ReadAttributes(Payload[NetlinkWriter.Align(fixedLength)..]);

    public static IEnumerable<(ushort Type, ReadOnlyMemory<byte> Value)> ReadAttributes(ReadOnlyMemory<byte> data)
    {
        var at = 0;
        while (at + 4 <= data.Length)
        {
            var span = data.Span;
            var len = BinaryPrimitives.ReadUInt16LittleEndian(span[at..]);
            var type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(span[(at + 2)..]) & 0x3FFF);
            if (len < 4 || at + len > data.Length) yield break;
            yield return (type, data.Slice(at + 4, len - 4));
            at += NetlinkWriter.Align(len);
        }
    }
}
