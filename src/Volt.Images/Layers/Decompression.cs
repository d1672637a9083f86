using System.IO.Compression;

namespace Volt.Images.Layers;

/// <summary>Opens a layer blob as a tar stream, choosing gzip, zstd or none by the content's magic bytes.</summary>
internal static class Decompression
{
    public static Stream Open(Stream raw)
    {
        var head = new byte[4];
        var n = raw.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        Stream joined = new PrefixedStream(head.AsMemory(0, n), raw);
        if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b) return new GZipStream(joined, CompressionMode.Decompress);
        if (n == 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd) return new ZstdSharp.DecompressionStream(joined);
        return joined;
    }

    /// <summary>The bytes already peeked, then the rest of the stream.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : Volt.Core.IO.ReadOnlyStream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.IsEmpty) return rest.Read(buffer);
            var n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) rest.Dispose();
            base.Dispose(disposing);
        }
    }
}
