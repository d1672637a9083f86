using System.Buffers;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Storage.Cas;

namespace Volt.Images.Layers;

/// <summary>
/// Turns file contents read from layer tars into BLAKE3 CAS objects. Content is hashed as it streams; small
/// files (≤ 4 MiB) are hashed in memory first so content the store (or this pull) already has costs no write;
/// larger ones stream into tmp/ while hashing and the copy is dropped if it turns out to exist. New objects stay
/// in tmp/ until <see cref="Publish"/>: one syncfs, then a rename each, and only for digests the final tree
/// still references (a file a later layer deletes never becomes an object).
/// </summary>
internal sealed class ObjectStager(CasStore store) : IDisposable
{
    private const int SmallLimit = 4 << 20;
    private const int Chunk = 1 << 20;
    private readonly Dictionary<Digest, (string Temp, long Size)> _staged = [];

    /// <summary>Bytes of content read so far (all files).</summary>
    public long BytesRead { get; private set; }

    public long NewObjects { get; private set; }
    public long NewBytes { get; private set; }

    public (Digest Digest, long Size) Stage(Stream content, long declaredSize, CancellationToken ct)
    {
        if (declaredSize <= SmallLimit) return StageSmall(content, (int)declaredSize);
        return StageLarge(content, ct);
    }

    private (Digest, long) StageSmall(Stream content, int size)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        try
        {
            var n = content.ReadAtLeast(buffer.AsSpan(0, size), size, throwOnEndOfStream: false);
            BytesRead += n;
            var data = buffer.AsSpan(0, n);
            var digest = ContentHasher.Hash(HashAlgo.Blake3, data);
            if (Known(digest)) return (digest, n);
            var tmp = store.NewTempPath();
            try
            {
                using var h = File.OpenHandle(tmp, FileMode.CreateNew, FileAccess.Write);
                RandomAccess.Write(h, data, 0);
            }
            catch
            {
                AtomicFile.TryDelete(tmp);
                throw;
            }
            _staged[digest] = (tmp, n);
            return (digest, n);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private (Digest, long) StageLarge(Stream content, CancellationToken ct)
    {
        var tmp = store.NewTempPath();
        var buffer = ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            long size = 0;
            using var hasher = new ContentHasher(HashAlgo.Blake3, parallel: true);
            using (var h = File.OpenHandle(tmp, FileMode.CreateNew, FileAccess.Write))
            {
                int n;
                while ((n = content.Read(buffer, 0, Chunk)) > 0)
                {
                    hasher.Update(buffer.AsSpan(0, n));
                    RandomAccess.Write(h, buffer.AsSpan(0, n), size);
                    size += n;
                    BytesRead += n;
                    ct.ThrowIfCancellationRequested();
                }
            }
            var digest = hasher.Finish();
            if (Known(digest)) { AtomicFile.TryDelete(tmp); return (digest, size); }
            _staged[digest] = (tmp, size);
            return (digest, size);
        }
        catch
        {
            AtomicFile.TryDelete(tmp);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>True when the object exists (touched, so a GC already under way keeps it) or is staged.</summary>
    private bool Known(Digest d)
    {
        if (_staged.ContainsKey(d)) return true;
        if (!store.Exists(d)) return false;
        Posix.Touch(store.ObjectPath(d));
        return true;
    }

    /// <summary>Makes every staged object the final tree references durable and visible; drops the rest.</summary>
    public void Publish(IReadOnlySet<Digest> referenced)
    {
        if (_staged.Count == 0) return;
        try
        {
            Posix.SyncFileSystem(store.TmpDir);
            foreach (var (digest, (temp, size)) in _staged)
            {
                if (!referenced.Contains(digest)) { AtomicFile.TryDelete(temp); continue; }
                if (store.Publish(temp, digest, size).Created) { NewObjects++; NewBytes += size; }
            }
            Posix.SyncFileSystem(store.ObjectsDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw VoltException.From("Failed publishing image objects", e);
        }
        finally
        {
            _staged.Clear();
        }
    }

    public void Dispose()
    {
        foreach (var (temp, _) in _staged.Values) AtomicFile.TryDelete(temp);
        _staged.Clear();
    }
}
