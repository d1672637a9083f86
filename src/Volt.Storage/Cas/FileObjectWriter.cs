using System.Buffers;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Storage.Hashing;

namespace Volt.Storage.Cas;

/// <summary>A file hashed and, when new, staged in tmp/ (not yet durable or visible).</summary>
internal readonly record struct Staging(Digest Digest, long Size, string? TempPath);

/// <summary>
/// Hashes one file and stages a copy only when the store lacks it, with plain fd I/O (thousands of files per
/// build). Small files are read once into memory, hashed, and the same bytes written, so content and name always
/// agree. Large files are hashed first (no write at all when the object exists, e.g. a re-build), then copied
/// while hashing again; if the two hashes differ the file changed under us and the build fails naming it.
/// </summary>
internal sealed class FileObjectWriter(CasStore store, bool parallelHashing, CancellationToken ct = default)
{
    internal const int SmallLimit = 4 << 20;
    private const int Chunk = 8 << 20;

    /// <param name="shouldWrite">Asked once the digest is known: true claims the object for this writer.</param>
    /// <param name="progress">Called with byte counts as data is hashed (per chunk for large files).</param>
    public Staging Store(string path, long expectedSize, Func<Digest, bool> shouldWrite, Action<long>? progress = null)
    {
        try
        {
            var fd = RawFile.OpenRead(path);
            try
            {
                return expectedSize <= SmallLimit
                    ? StoreSmall(fd, path, (int)expectedSize, shouldWrite, progress)
                    : StoreLarge(fd, path, shouldWrite, progress);
            }
            finally
            {
                RawFile.Close(fd);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw VoltException.From($"Failed storing \"{path}\"", e);
        }
    }

    private Staging StoreSmall(int fd, string path, int size, Func<Digest, bool> shouldWrite, Action<long>? progress)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        try
        {
            var n = RawFile.ReadFully(fd, buffer.AsSpan(0, size), 0, path);
            var data = buffer.AsSpan(0, n);
            progress?.Invoke(n);
            var digest = Digest.FromHash(HashAlgo.Blake3, Blake3.Hash(data));
            if (!shouldWrite(digest)) return new Staging(digest, n, null);
            var tmp = store.NewStagingPath(digest);
            WriteNew(tmp, data);
            return new Staging(digest, n, tmp);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private Staging StoreLarge(int fd, string path, Func<Digest, bool> shouldWrite, Action<long>? progress)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            var (digest, size) = Hash(fd, path, buffer, null, progress);
            if (!shouldWrite(digest)) return new Staging(digest, size, null);
            var tmp = store.NewStagingPath(digest);
            var outFd = RawFile.CreateNew(tmp);
            try
            {
                var (copied, copiedSize) = Hash(fd, path, buffer, (outFd, tmp), null);
                if (copied != digest)
                    throw new VoltException(ExitCode.Conflict, $"\"{path}\" changed while it was being stored ({size} → {copiedSize} bytes); run the build again");
            }
            catch
            {
                RawFile.Close(outFd);
                AtomicFile.TryDelete(tmp);
                throw;
            }
            RawFile.Close(outFd);
            return new Staging(digest, size, tmp);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Hashes the whole file, copying each chunk to <paramref name="copyTo"/> when given.</summary>
    private (Digest, long) Hash(int fd, string path, byte[] buffer, (int Fd, string Path)? copyTo, Action<long>? progress)
    {
        using var hasher = Blake3Hasher.Create();
        hasher.Parallel = parallelHashing;
        long offset = 0;
        int n;
        while ((n = RawFile.ReadFully(fd, buffer.AsSpan(0, Chunk), offset, path)) > 0)
        {
            hasher.Update(buffer.AsSpan(0, n));
            if (copyTo is { } dst) RawFile.WriteAll(dst.Fd, buffer.AsSpan(0, n), offset, dst.Path);
            offset += n;
            progress?.Invoke(n);
            ct.ThrowIfCancellationRequested();
        }
        return (Digest.FromHash(HashAlgo.Blake3, hasher.Finalize()), offset);
    }

    private static void WriteNew(string tmp, ReadOnlySpan<byte> data)
    {
        var fd = RawFile.CreateNew(tmp);
        try { RawFile.WriteAll(fd, data, 0, tmp); }
        catch
        {
            RawFile.Close(fd);
            AtomicFile.TryDelete(tmp);
            throw;
        }
        RawFile.Close(fd);
    }
}
