using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using Volt.Core.IO;
using Volt.Storage.Hashing;

namespace Volt.Storage.Cas;

/// <summary>
/// Hashing of whole files by any <see cref="HashAlgo"/>: BLAKE3 through <see cref="Blake3File"/> (pieces on several
/// threads, large files hashed in place through a SIGBUS-guarded mapping), SHA-256/512 in one pass of 1 MiB reads.
/// </summary>
public static class FileHashing
{
    private const int ShaBuffer = 1 << 20;

    /// <summary>Hashes the file open at <paramref name="h"/> from offset 0 to its end on up to <paramref name="threads"/> threads.</summary>
    public static (Digest Digest, long Size) Hash(SafeFileHandle h, string path, HashAlgo algo, int threads, CancellationToken ct = default)
    {
        bool added = false;
        h.DangerousAddRef(ref added);
        try { return Hash((int)h.DangerousGetHandle(), RandomAccess.GetLength(h), path, algo, threads, ct); }
        finally { if (added) h.DangerousRelease(); }
    }

    /// <summary>Hashes the file open at <paramref name="fd"/> (<paramref name="size"/> bytes when it was opened).</summary>
    public static (Digest Digest, long Size) Hash(int fd, long size, string path, HashAlgo algo, int threads, CancellationToken ct = default)
    {
        if (algo == HashAlgo.Blake3)
        {
            var (hash, n) = Blake3File.Hash(fd, size, path, Math.Max(threads, 1), ct: ct);
            return (Digest.FromHash(algo, hash), n);
        }
        using var sha = IncrementalHash.CreateHash(algo == HashAlgo.Sha256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA512);
        var buffer = ArrayPool<byte>.Shared.Rent(ShaBuffer);
        try
        {
            long offset = 0;
            int read;
            while ((read = RawFile.ReadFully(fd, buffer.AsSpan(0, ShaBuffer), offset, path)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                offset += read;
                ct.ThrowIfCancellationRequested();
            }
            return (Digest.FromHash(algo, sha.GetHashAndReset()), offset);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Opens <paramref name="path"/> (following symlinks) and hashes it.</summary>
    public static (Digest Digest, long Size) HashFile(string path, HashAlgo algo, int threads, CancellationToken ct = default)
    {
        using var h = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return Hash(h, path, algo, threads, ct);
    }
}
