using System.Buffers.Binary;
using System.Text;

namespace Volt.Dns.Wire;

/// <summary>Domain names on the wire (RFC 1035 §3.1, §4.1.4): labels of at most 63 bytes, 255 bytes in all.</summary>
public static class DnsName
{
    public const int MaxLength = 255;

    /// <summary>
    /// Reads an uncompressed name (a question's) at <paramref name="offset"/> into <paramref name="text"/>: labels
    /// joined by '.', ASCII lower-cased, no trailing dot (the root is ""). Bytes outside printable ASCII, and '.' or '\'
    /// inside a label, are written as <c>\DDD</c> so no two wire names read the same. False on any malformation.
    /// </summary>
    public static bool ReadUncompressed(ReadOnlySpan<byte> msg, int offset, Span<char> text, out int length, out int end)
    {
        length = 0;
        end = offset;
        var pos = offset;
        var wire = 0;
        while (true)
        {
            if (pos >= msg.Length) return false;
            int len = msg[pos];
            if (len == 0) { pos++; break; }
            if (len > 63) return false; // a compression pointer (0xC0) or a reserved label type
            wire += len + 1;
            if (wire + 1 > MaxLength || pos + 1 + len > msg.Length) return false;
            if (length > 0) { if (length >= text.Length) return false; text[length++] = '.'; }
            foreach (var b in msg.Slice(pos + 1, len))
            {
                if (b is > 0x20 and < 0x7F && b != (byte)'.' && b != (byte)'\\')
                {
                    if (length >= text.Length) return false;
                    text[length++] = (char)(b is >= (byte)'A' and <= (byte)'Z' ? b | 0x20 : b);
                }
                else
                {
                    if (length + 4 > text.Length) return false;
                    text[length++] = '\\';
                    text[length++] = (char)('0' + b / 100);
                    text[length++] = (char)('0' + b / 10 % 10);
                    text[length++] = (char)('0' + b % 10);
                }
            }
            pos += 1 + len;
        }
        end = pos;
        return true;
    }

    /// <summary>Reads a possibly compressed name (an answer's); follows at most 32 pointers, each strictly backwards.</summary>
    public static bool TryRead(ReadOnlySpan<byte> msg, int offset, out string name, out int end)
    {
        name = "";
        end = -1;
        var sb = new StringBuilder();
        var pos = offset;
        var jumps = 0;
        var wire = 0;
        while (true)
        {
            if (pos >= msg.Length) return false;
            int len = msg[pos];
            if ((len & 0xC0) == 0xC0)
            {
                if (pos + 1 >= msg.Length || ++jumps > 32) return false;
                var target = ((len & 0x3F) << 8) | msg[pos + 1];
                if (end < 0) end = pos + 2;
                if (target >= pos) return false;
                pos = target;
                continue;
            }
            if (len > 63) return false;
            if (len == 0) { if (end < 0) end = pos + 1; break; }
            wire += len + 1;
            if (wire + 1 > MaxLength || pos + 1 + len > msg.Length) return false;
            if (sb.Length > 0) sb.Append('.');
            foreach (var b in msg.Slice(pos + 1, len))
            {
                if (b is > 0x20 and < 0x7F && b != (byte)'.' && b != (byte)'\\') sb.Append((char)(b is >= (byte)'A' and <= (byte)'Z' ? b | 0x20 : b));
                else sb.Append('\\').Append((char)('0' + b / 100)).Append((char)('0' + b / 10 % 10)).Append((char)('0' + b % 10));
            }
            pos += 1 + len;
        }
        name = sb.ToString();
        return true;
    }

    /// <summary>Skips a possibly compressed name; -1 when it runs off the message.</summary>
    public static int Skip(ReadOnlySpan<byte> msg, int offset)
    {
        var pos = offset;
        while (pos < msg.Length)
        {
            int len = msg[pos];
            if ((len & 0xC0) == 0xC0) return pos + 2 <= msg.Length ? pos + 2 : -1;
            if (len > 63) return -1;
            if (len == 0) return pos + 1;
            pos += 1 + len;
        }
        return -1;
    }

    /// <summary>Writes a dotted name of printable ASCII (no escapes: volt-dns only writes its own record names) uncompressed; false if it does not fit or is invalid.</summary>
    public static bool TryWrite(string name, Span<byte> dst, out int written)
    {
        written = 0;
        var pos = 0;
        var i = 0;
        var trimmed = name.EndsWith('.') ? name[..^1] : name;
        while (i < trimmed.Length)
        {
            if (pos >= dst.Length) return false;
            var lenAt = pos++;
            var len = 0;
            while (i < trimmed.Length && trimmed[i] != '.')
            {
                var c = trimmed[i++];
                if (c is <= ' ' or > '~' or '\\') return false;
                var b = (byte)c;
                if (pos >= dst.Length || ++len > 63) return false;
                dst[pos++] = b;
            }
            if (len == 0) return false;
            dst[lenAt] = (byte)len;
            i++; // the dot
        }
        if (pos >= dst.Length || pos + 1 > MaxLength) return false;
        dst[pos++] = 0;
        written = pos;
        return true;
    }

    /// <summary>The reverse-lookup name of an address: <c>2.0.0.10.in-addr.arpa</c>, nibbles under <c>ip6.arpa</c>.</summary>
    public static string Reverse(System.Net.IPAddress address)
    {
        var b = address.GetAddressBytes();
        if (b.Length == 4) return $"{b[3]}.{b[2]}.{b[1]}.{b[0]}.in-addr.arpa";
        var sb = new StringBuilder(72);
        for (var i = b.Length - 1; i >= 0; i--)
            sb.Append("0123456789abcdef"[b[i] & 0xF]).Append('.').Append("0123456789abcdef"[b[i] >> 4]).Append('.');
        return sb.Append("ip6.arpa").ToString();
    }

    internal static ushort U16(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt16BigEndian(s[at..]);
}
