using Volt.Storage.Cas;

namespace Volt.Images.Push;

/// <summary>A write-only pass-through that hashes and counts what goes through it.</summary>
internal sealed class HashingWriteStream(Stream inner, bool leaveOpen = false) : Stream
{
    private readonly ContentHasher _hasher = new(HashAlgo.Sha256);

    public long Written { get; private set; }

    public Digest Finish() => _hasher.Finish();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hasher.Update(buffer);
        inner.Write(buffer);
        Written += buffer.Length;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => Written;
    public override long Position { get => Written; set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _hasher.Dispose(); if (!leaveOpen) inner.Dispose(); }
        base.Dispose(disposing);
    }
}
