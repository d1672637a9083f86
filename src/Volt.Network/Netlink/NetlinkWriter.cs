using System.Buffers.Binary;
using System.Text;

namespace Volt.Network.Netlink;

/// <summary>
/// Builds one netlink message: the 16-byte <c>nlmsghdr</c>, a fixed header (<c>ifinfomsg</c>, <c>ifaddrmsg</c>,
/// <c>rtmsg</c>, <c>nfgenmsg</c>), then attributes (<c>rtattr</c>/<c>nlattr</c>: u16 length, u16 type, value, padded to
/// 4 bytes), nested with <see cref="Begin"/>/<see cref="End"/>. Host byte order (every architecture Volt runs on is
/// little-endian), as the kernel expects except where a protocol says big-endian (nftables' values).
/// </summary>
internal sealed class NetlinkWriter
{
    public const int HeaderLength = 16;
    private byte[] _buf = new byte[256];
    private int _len;
    private readonly Stack<int> _open = new();

    public NetlinkWriter(ushort type, ushort flags)
    {
        Type = type;
        _len = HeaderLength;
        BinaryPrimitives.WriteUInt16LittleEndian(_buf.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(_buf.AsSpan(6), flags);
    }

    public ushort Type { get; }

    /// <summary>Raw bytes (a fixed header), padded to 4.</summary>
    public NetlinkWriter Bytes(ReadOnlySpan<byte> value)
    {
        Ensure(Align(value.Length));
        value.CopyTo(_buf.AsSpan(_len));
        _len += Align(value.Length);
        return this;
    }

    public NetlinkWriter Attr(ushort type, ReadOnlySpan<byte> value)
    {
        Ensure(4 + Align(value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(_buf.AsSpan(_len), (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(_buf.AsSpan(_len + 2), type);
        value.CopyTo(_buf.AsSpan(_len + 4));
        _len += 4 + Align(value.Length);
        return this;
    }

    public NetlinkWriter U32(ushort type, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return Attr(type, b);
    }

    /// <summary>A NUL-terminated string (as iproute2 sends interface names).</summary>
    public NetlinkWriter String(ushort type, string value)
    {
        var b = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, b);
        return Attr(type, b);
    }

    /// <summary>Opens a nested attribute; <see cref="End"/> writes its length.</summary>
    public NetlinkWriter Begin(ushort type)
    {
        Ensure(4);
        _open.Push(_len);
        BinaryPrimitives.WriteUInt16LittleEndian(_buf.AsSpan(_len + 2), type);
        _len += 4;
        return this;
    }

    public NetlinkWriter End()
    {
        var start = _open.Pop();
        BinaryPrimitives.WriteUInt16LittleEndian(_buf.AsSpan(start), (ushort)(_len - start));
        return this;
    }

    /// <summary>The finished message with its length and <paramref name="seq"/>.</summary>
    public byte[] ToArray(uint seq = 0)
    {
        if (_open.Count > 0) throw new InvalidOperationException("unclosed nested netlink attribute");
        var b = _buf.AsSpan(0, _len).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)_len);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), seq);
        return b;
    }

    public static int Align(int n) => (n + 3) & ~3;

    private void Ensure(int more)
    {
        if (_len + more > _buf.Length) Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + more));
    }
}
