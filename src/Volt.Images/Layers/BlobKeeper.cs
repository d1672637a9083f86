using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Storage.Cas;

namespace Volt.Images.Layers;

/// <summary>
/// Keeps a pulled image's layer blobs byte-for-byte, as the sha256 (or sha512) objects the registry would store, so
/// that pushing the image back unchanged re-sends the original manifest and its digest survives (signatures and
/// referrers point at it). A blob the store already holds (a pull from <c>volt registry serve</c> on the same root,
/// an image sharing the layer) is not written again. New blobs are copied into tmp/ as the pull reads them and
/// become visible in <see cref="Publish"/>, after the pull succeeded: one syncfs, then a rename each.
/// </summary>
internal sealed class BlobKeeper(CasStore cas) : IDisposable
{
    private readonly Dictionary<Digest, (string Temp, FileStream File)> _staged = [];

    public long NewObjects { get; private set; }
    public long NewBytes { get; private set; }

    /// <summary>Copies what is read from <paramref name="raw"/> into a staging file, unless the blob is kept already.</summary>
    public Stream Wrap(Stream raw, Digest? digest)
    {
        if (digest is not { } d || d.Algorithm == HashAlgo.Blake3 || _staged.ContainsKey(d)) return raw;
        if (cas.Exists(d)) { Posix.Touch(cas.ObjectPath(d)); return raw; }
        var tmp = cas.NewTempPath();
        var file = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        _staged[d] = (tmp, file);
        return new TeeStream(raw, file);
    }

    /// <summary>Makes every kept blob durable and visible (their digests were verified as they streamed).</summary>
    public void Publish()
    {
        if (_staged.Count == 0) return;
        try
        {
            foreach (var (_, file) in _staged.Values) file.Dispose();
            Posix.SyncFileSystem(cas.TmpDir);
            foreach (var (digest, (temp, _)) in _staged)
            {
                var size = new FileInfo(temp).Length;
                if (cas.Publish(temp, digest, size).Created) { NewObjects++; NewBytes += size; }
            }
            Posix.SyncFileSystem(cas.ObjectsDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw VoltException.From("Failed publishing image layer blobs", e);
        }
        finally
        {
            _staged.Clear();
        }
    }

    public void Dispose()
    {
        foreach (var (temp, file) in _staged.Values)
        {
            file.Dispose();
            AtomicFile.TryDelete(temp);
        }
        _staged.Clear();
    }

    /// <summary>Passes reads through and writes every byte read to a file (left open: the keeper closes it).</summary>
    private sealed class TeeStream(Stream inner, Stream copy) : ReadOnlyStream
    {
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            copy.Write(buffer[..n]);
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            var n = await inner.ReadAsync(buffer, ct).ConfigureAwait(false);
            await copy.WriteAsync(buffer[..n], ct).ConfigureAwait(false);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
