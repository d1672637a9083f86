using System.Buffers;
using System.Runtime.CompilerServices;
using Volt.Core.IO;
using Volt.Core.Threading;
using static Volt.Storage.Hashing.Blake3Constants;

namespace Volt.Storage.Hashing;

/// <summary>
/// BLAKE3 of a whole file read with pread(2), on one or more threads. The file is cut into pieces of
/// <see cref="PieceBytes"/> (a power of two chunks, so each piece is one whole subtree of the BLAKE3 tree); worker
/// threads read and hash pieces into their chaining values, each into its own cache-sized buffer, and the CVs are
/// merged in order. The last bytes always go through <see cref="Blake3Hasher.Update"/>, which knows the root.
/// pread instead of mmap: a file truncated while it is read ends in a short read and an error, never in SIGBUS.
/// </summary>
[SkipLocalsInit]
public static unsafe class Blake3File
{
    /// <summary>Bytes per piece: 1024 chunks, small enough to stay in a core's L2 between the read and the hash.</summary>
    public const int PieceBytes = 1 << 20;

    /// <summary>Pieces per round of workers (the CVs of one round: 32 KiB).</summary>
    private const int PiecesPerRound = 1024;

    /// <summary>
    /// Hashes the file open at <paramref name="fd"/> from offset 0 to its end, whose size at the start is
    /// <paramref name="size"/>, on up to <paramref name="threads"/> threads. Returns the 32-byte hash and the bytes
    /// hashed. A file that shrinks meanwhile fails with <see cref="IOException"/>; bytes appended are hashed too.
    /// </summary>
    public static (byte[] Hash, long Size) Hash(int fd, long size, string path, int threads,
        int pieceBytes = PieceBytes, CancellationToken ct = default)
    {
        if (pieceBytes < 2 * ChunkLen || (pieceBytes & (pieceBytes - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(pieceBytes), "a piece is a power of two chunks, at least two");
        using var hasher = Blake3Hasher.Create();
        var backend = hasher.Backend;
        ulong pieceChunks = (ulong)(pieceBytes / ChunkLen);
        // Whole pieces, leaving at least one byte for the tail (the root, if the file is one piece long).
        long wholePieces = size > 0 ? (size - 1) / pieceBytes : 0;
        if (threads > 1 && wholePieces > 1)
        {
            var cvs = new byte[Math.Min(wholePieces, PiecesPerRound) * OutLen];
            for (long first = 0; first < wholePieces; first += PiecesPerRound)
            {
                int count = (int)Math.Min(PiecesPerRound, wholePieces - first);
                long roundStart = first;
                Workers.Run(threads, count, i =>
                {
                    long piece = roundStart + i;
                    var buffer = ArrayPool<byte>.Shared.Rent(pieceBytes);
                    try
                    {
                        var data = buffer.AsSpan(0, pieceBytes);
                        if (RawFile.ReadFully(fd, data, piece * pieceBytes, path) != pieceBytes)
                            throw new IOException($"{path}: the file shrank while it was being hashed");
                        Blake3.SubtreeCv(data, (ulong)piece * pieceChunks, cvs.AsSpan(i * OutLen, OutLen), backend);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                }, ct);
                for (int i = 0; i < count; i++)
                    hasher.AppendSubtreeCv(cvs.AsSpan(i * OutLen, OutLen), pieceChunks);
            }
        }
        else
        {
            wholePieces = 0;
        }

        // The rest (everything, on one thread) streams through the hasher; it reads to the end of the file.
        long offset = wholePieces * pieceBytes;
        var tail = ArrayPool<byte>.Shared.Rent(pieceBytes);
        try
        {
            int n;
            while ((n = RawFile.ReadFully(fd, tail.AsSpan(0, pieceBytes), offset, path)) > 0)
            {
                hasher.Update(tail.AsSpan(0, n));
                offset += n;
                ct.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(tail);
        }
        return (hasher.Finalize(), offset);
    }
}
