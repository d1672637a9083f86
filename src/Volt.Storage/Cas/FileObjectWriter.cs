using System.Buffers;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Storage.Hashing;

namespace Volt.Storage.Cas;

/// <summary>A file hashed and, when new, staged in tmp/ (not yet durable or visible).</summary>
internal readonly record struct Staging(Digest Digest, long Size, string? TempPath);

/// <summary>
/// Hashes one file and stages a copy when the store lacks it. Small files are read once into memory (hash, then
/// write the same bytes, so a concurrent change cannot make content and name disagree); large files are streamed
/// in one pass that hashes (BLAKE3, parallel subtrees) while it writes.
/// </summary>
internal sealed class FileObjectWriter(CasStore store, CancellationToken ct = default)
{
    private const int SmallLimit = 4 << 20;
    private const int Chunk = 8 << 20;

    /// <param name="shouldWrite">Asked once the digest is known: true claims the object for this writer.</param>
    /// <param name="progress">Called with byte counts as data is hashed (per chunk for large files).</param>
    public Staging Store(string path, long expectedSize, Func<Digest, bool> shouldWrite, Action<long>? progress = null)
    {
        try
        {
            using var src = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.SequentialScan);
            return expectedSize <= SmallLimit ? StoreSmall(src, shouldWrite, progress) : StoreLarge(src, shouldWrite, progress);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw VoltException.From($"Failed storing \"{path}\"", e);
        }
    }

    private Staging StoreSmall(Microsoft.Win32.SafeHandles.SafeFileHandle src, Func<Digest, bool> shouldWrite, Action<long>? progress)
    {
        var length = RandomAccess.GetLength(src);
        if (length > SmallLimit) return StoreLarge(src, shouldWrite, progress);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(length, 1));
        try
        {
            var n = ReadFully(src, buffer.AsSpan(0, (int)length));
            var data = buffer.AsSpan(0, n);
            progress?.Invoke(n);
            var digest = Digest.FromHash(HashAlgo.Blake3, Blake3.Hash(data));
            if (!shouldWrite(digest)) return new Staging(digest, n, null);
            var tmp = store.NewTempPath();
            try
            {
                using var dst = File.OpenHandle(tmp, FileMode.CreateNew, FileAccess.Write);
                RandomAccess.Write(dst, data, 0);
            }
            catch
            {
                AtomicFile.TryDelete(tmp);
                throw;
            }
            return new Staging(digest, n, tmp);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private Staging StoreLarge(Microsoft.Win32.SafeHandles.SafeFileHandle src, Func<Digest, bool> shouldWrite, Action<long>? progress)
    {
        var tmp = store.NewTempPath();
        var buffer = ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            using var hasher = Blake3Hasher.Create();
            hasher.Parallel = true;
            long offset = 0;
            using (var dst = File.OpenHandle(tmp, FileMode.CreateNew, FileAccess.Write))
            {
                int n;
                while ((n = RandomAccess.Read(src, buffer.AsSpan(0, Chunk), offset)) > 0)
                {
                    hasher.Update(buffer.AsSpan(0, n));
                    RandomAccess.Write(dst, buffer.AsSpan(0, n), offset);
                    offset += n;
                    progress?.Invoke(n);
                    ct.ThrowIfCancellationRequested();
                }
            }
            var digest = Digest.FromHash(HashAlgo.Blake3, hasher.Finalize());
            if (shouldWrite(digest)) return new Staging(digest, offset, tmp);
            AtomicFile.TryDelete(tmp);
            return new Staging(digest, offset, null);
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

    private static int ReadFully(Microsoft.Win32.SafeHandles.SafeFileHandle h, Span<byte> dest)
    {
        var total = 0;
        while (total < dest.Length)
        {
            var n = RandomAccess.Read(h, dest[total..], total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
