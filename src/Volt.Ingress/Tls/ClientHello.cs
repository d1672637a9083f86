using System.Buffers;
using System.Text;

namespace Volt.Ingress.Tls;

/// <summary>What the proxy reads from a TLS ClientHello without terminating it: the server name and the ALPN list.</summary>
public sealed record ClientHelloInfo(string? ServerName, IReadOnlyList<string> Alpn);

/// <summary>
/// A bounded parser of the first TLS handshake message (RFC 8446 §4.1.2, SNI RFC 6066 §3, ALPN RFC 7301): the
/// ClientHello may span several records but at most <see cref="MaxBytes"/>; anything that is not a well-formed
/// ClientHello is <see cref="Status.Invalid"/> and the connection is closed.
/// </summary>
public static class ClientHello
{
    public const int MaxBytes = 16 * 1024 + 5 * 4;

    public enum Status { NeedMore, Invalid, Ok }

    public static Status TryParse(ReadOnlySequence<byte> input, out ClientHelloInfo? hello)
    {
        hello = null;
        var data = input.Length > MaxBytes ? input.Slice(0, MaxBytes).ToArray() : input.ToArray();
        // Reassemble the handshake bytes from consecutive handshake records.
        var hs = new List<byte>();
        int pos = 0;
        while (true)
        {
            if (data.Length - pos < 5) return input.Length > MaxBytes ? Status.Invalid : Status.NeedMore;
            if (data[pos] != 0x16 || data[pos + 1] != 0x03) return Status.Invalid;
            int len = (data[pos + 3] << 8) | data[pos + 4];
            if (len is 0 or > 16384) return Status.Invalid;
            if (data.Length - pos - 5 < len) return pos + 5 + len > MaxBytes ? Status.Invalid : Status.NeedMore;
            hs.AddRange(data.AsSpan(pos + 5, len));
            pos += 5 + len;
            if (hs.Count >= 4)
            {
                if (hs[0] != 0x01) return Status.Invalid;
                int msgLen = (hs[1] << 16) | (hs[2] << 8) | hs[3];
                if (msgLen > MaxBytes) return Status.Invalid;
                if (hs.Count >= 4 + msgLen) return Parse(hs.ToArray().AsSpan(4, msgLen), out hello) ? Status.Ok : Status.Invalid;
            }
        }
    }

    private static bool Parse(ReadOnlySpan<byte> b, out ClientHelloInfo? hello)
    {
        hello = null;
        var r = new Reader(b);
        if (!r.Skip(2 + 32)) return false;              // legacy_version, random
        if (!r.Vector8(out _)) return false;            // legacy_session_id
        if (!r.Vector16(out var suites) || suites.Length == 0 || suites.Length % 2 != 0) return false;
        if (!r.Vector8(out var compression) || compression.Length == 0) return false;
        string? sni = null;
        var alpn = new List<string>();
        if (r.Remaining == 0) { hello = new(null, alpn); return true; }
        if (!r.Vector16(out var exts) || r.Remaining != 0) return false;
        var e = new Reader(exts);
        var seen = new HashSet<int>();
        while (e.Remaining > 0)
        {
            if (!e.U16(out var type) || !e.Vector16(out var body)) return false;
            if (!seen.Add(type)) return false;         // RFC 8446: no extension twice
            if (type == 0 && !ServerName(body, out sni)) return false;
            if (type == 16 && !Alpn(body, alpn)) return false;
        }
        hello = new(sni, alpn);
        return true;
    }

    private static bool ServerName(ReadOnlySpan<byte> body, out string? name)
    {
        name = null;
        var r = new Reader(body);
        if (!r.Vector16(out var list) || r.Remaining != 0) return false;
        var l = new Reader(list);
        while (l.Remaining > 0)
        {
            if (!l.U8(out var kind) || !l.Vector16(out var n)) return false;
            if (kind != 0 || name is not null) continue;
            if (n.Length is 0 or > 253) return false;
            foreach (var c in n) if (!(char.IsAsciiLetterOrDigit((char)c) || c is (byte)'-' or (byte)'.' or (byte)'_')) return false;
            name = Encoding.ASCII.GetString(n).ToLowerInvariant();
        }
        return true;
    }

    private static bool Alpn(ReadOnlySpan<byte> body, List<string> alpn)
    {
        var r = new Reader(body);
        if (!r.Vector16(out var list) || r.Remaining != 0 || list.Length == 0) return false;
        var l = new Reader(list);
        while (l.Remaining > 0)
        {
            if (!l.Vector8(out var p) || p.Length == 0) return false;
            alpn.Add(Encoding.ASCII.GetString(p));
        }
        return true;
    }

    private ref struct Reader(ReadOnlySpan<byte> span)
    {
        private ReadOnlySpan<byte> _s = span;
        public readonly int Remaining => _s.Length;
        public bool Skip(int n) { if (_s.Length < n) return false; _s = _s[n..]; return true; }
        public bool U8(out int v) { v = 0; if (_s.Length < 1) return false; v = _s[0]; _s = _s[1..]; return true; }
        public bool U16(out int v) { v = 0; if (_s.Length < 2) return false; v = (_s[0] << 8) | _s[1]; _s = _s[2..]; return true; }
        public bool Vector8(out ReadOnlySpan<byte> v) { v = default; if (!U8(out var n) || _s.Length < n) return false; v = _s[..n]; _s = _s[n..]; return true; }
        public bool Vector16(out ReadOnlySpan<byte> v) { v = default; if (!U16(out var n) || _s.Length < n) return false; v = _s[..n]; _s = _s[n..]; return true; }
    }
}
