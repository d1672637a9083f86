using Volt.Core.Errors;
using Volt.Storage.Cas;

namespace Volt.Images.Layers;

/// <summary>
/// A read-only pass-through that hashes what it reads and counts bytes; with an expected digest it fails at end
/// of stream when the content does not match, so a tampered blob never completes a pull.
/// </summary>
internal sealed class HashingStream(Stream inner, HashAlgo algo, string what, Digest? expected = null, Action<long>? progress = null) : Stream
{
    private readonly ContentHasher _hasher = new(algo);
    private Digest? _final;

    public long BytesRead { get; private set; }

    /// <summary>The digest of everything read; valid once the stream reached its end.</summary>
    public Digest Digest => _final ?? throw new InvalidOperationException("stream not read to the end");

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        var n = inner.Read(buffer);
        Account(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (buffer.IsEmpty) return 0;
        var n = await inner.ReadAsync(buffer, ct).ConfigureAwait(false);
        Account(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    private void Account(ReadOnlySpan<byte> data)
    {
        if (data.Length > 0)
        {
            _hasher.Update(data);
            BytesRead += data.Length;
            progress?.Invoke(data.Length);
            return;
        }
        if (_final is not null) return;
        _final = _hasher.Finish();
        if (expected is { } want && want != _final)
            throw new VoltException(ExitCode.General, $"{what}: content hashes to {_final}, expected {want}");
    }

    /// <summary>Reads whatever is left (tar padding, trailing gzip members) so the digest covers all of it.</summary>
    public void Drain()
    {
        var buffer = new byte[81920];
        while (Read(buffer) > 0) { }
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _hasher.Dispose(); inner.Dispose(); }
        base.Dispose(disposing);
    }
}
