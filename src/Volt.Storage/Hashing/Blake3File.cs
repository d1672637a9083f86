using System.Buffers;
using System.Runtime.CompilerServices;
using Volt.Core.IO;
using Volt.Core.Native;
using Volt.Core.Threading;
using static Volt.Storage.Hashing.Blake3Constants;

namespace Volt.Storage.Hashing;

/// <summary>
/// BLAKE3 of a whole file, on one or more threads. The file is cut into pieces of <see cref="PieceBytes"/> (a power of
/// two chunks, so each piece is one whole subtree of the BLAKE3 tree), hashed into their chaining values by worker
/// threads and merged in order; the last bytes always go through <see cref="Blake3Hasher.Update"/>, which knows the
/// root. A regular file of at least <see cref="MapMinBytes"/> is mapped read-only when Volt's native object guards the
/// mapping against SIGBUS: a file truncated while it is hashed then reads zeros past its new end, the guard records
/// it and the hash fails with "the file shrank" — it never kills the process. Each piece of the mapping is hashed
/// where it lies (populated first, or faulted in) or copied into a cache-sized buffer, whichever
/// <see cref="Blake3PieceChoice"/> measured cheapest on this CPU (the copy lost a fifth of the single-thread time on a
/// Xeon and won 15 % on a Zen 4 EPYC; plain faults beat populating on a Sapphire Rapids Xeon). Everything else
/// (small files, files that cannot be mapped, no native guard: the JIT) is read with pread(2) into cache-sized buffers.
/// </summary>
[SkipLocalsInit]
public static unsafe class Blake3File
{
    /// <summary>Bytes per piece: 1024 chunks, small enough to stay in a core's L2 between the read and the hash.</summary>
    public const int PieceBytes = 1 << 20;

    /// <summary>Smallest file hashed through a mapping: below it mmap, munmap and the page faults cost what the copy does.</summary>
    public const long MapMinBytes = 1 << 20;

    /// <summary>Pieces per round of workers (the CVs of one round: 32 KiB).</summary>
    private const int PiecesPerRound = 1024;

    /// <summary>Environment variable that forces how files are read (pread, mmap, populate) for tests and benches.</summary>
    public const string ReadVariable = "VOLT_BLAKE3_READ";

    /// <summary>How this process reads files: <see cref="ReadVariable"/> or the default (a mapping where possible).</summary>
    internal static readonly Blake3Read DefaultRead =
        Enum.TryParse<Blake3Read>(Environment.GetEnvironmentVariable(ReadVariable), ignoreCase: true, out var r) && Enum.IsDefined(r)
            ? r : Blake3Read.Auto;

    /// <summary>
    /// Hashes the file open at <paramref name="fd"/> from offset 0 to its end, whose size at the start is
    /// <paramref name="size"/>, on up to <paramref name="threads"/> threads. Returns the 32-byte hash and the bytes
    /// hashed. A file that shrinks meanwhile fails with <see cref="IOException"/>; bytes appended are hashed too.
    /// </summary>
    public static (byte[] Hash, long Size) Hash(int fd, long size, string path, int threads,
        int pieceBytes = PieceBytes, CancellationToken ct = default) =>
        Hash(fd, size, path, threads, pieceBytes, DefaultRead, MapMinBytes, null, ct);

    /// <summary>
    /// <see cref="Hash(int, long, string, int, int, CancellationToken)"/> with the read path chosen by the caller: tests
    /// force the mapping for any size (<paramref name="mapMinBytes"/>) and act on the file once it is mapped
    /// (<paramref name="onMapped"/>).
    /// </summary>
    internal static (byte[] Hash, long Size) Hash(int fd, long size, string path, int threads, int pieceBytes,
        Blake3Read read, long mapMinBytes, Action? onMapped, CancellationToken ct)
    {
        if (pieceBytes < 2 * ChunkLen || (pieceBytes & (pieceBytes - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(pieceBytes), "a piece is a power of two chunks, at least two");
        if (read != Blake3Read.Pread && size > 0 && size >= mapMinBytes && Blake3Native.Loaded && IsRegularFile(fd)
            && HashMapped(fd, size, path, threads, pieceBytes, read, onMapped, ct) is { } mapped)
            return mapped;
        return HashRead(fd, size, path, threads, pieceBytes, ct);
    }

    /// <summary>Whether MADV_POPULATE_READ works here (Linux 5.14+); cleared at its first EINVAL.</summary>
    private static volatile bool s_populatePieces = true;

    /// <summary>
    /// Hashes the first <paramref name="size"/> bytes where they lie in a private read-only mapping, then reads any
    /// bytes appended since; null when the file cannot be mapped or guarded (the caller reads it instead).
    /// </summary>
    private static (byte[] Hash, long Size)? HashMapped(int fd, long size, string path, int threads, int pieceBytes,
        Blake3Read read, Action? onMapped, CancellationToken ct)
    {
        // Populate: the kernel fills the page tables in one pass before any hashing; Mmap: faulted in as hashed; Auto:
        // each piece populated just before it is hashed, faulted in, or copied with pread, whichever the trials found cheapest.
        bool populate = read == Blake3Read.Populate;
        var choice = read == Blake3Read.Auto
            ? Blake3PieceChoice.For(size / pieceBytes, threads > 1 && (size - 1) / pieceBytes > 1 ? threads : 1) : null;
        void* map = LibC.mmap(null, (nuint)size, LibC.PROT_READ, LibC.MAP_PRIVATE | (populate ? LibC.MAP_POPULATE : 0), fd, 0);
        if (map == LibC.MAP_FAILED)
            return null;
        int slot = VoltNative.volt_map_guard_register(map, (nuint)size);
        if (slot < 0)
        {
            LibC.munmap(map, (nuint)size);
            return null;
        }
        bool guarded = true;
        try
        {
            onMapped?.Invoke();
            using var hasher = Blake3Hasher.Create();
            var backend = hasher.Backend;
            ulong pieceChunks = (ulong)(pieceBytes / ChunkLen);
            nint start = (nint)map;
            long wholePieces = threads > 1 && (size - 1) / pieceBytes > 1 ? (size - 1) / pieceBytes : 0;
            if (wholePieces > 0)
            {
                var cvs = new byte[Math.Min(wholePieces, PiecesPerRound) * OutLen];
                for (long first = 0; first < wholePieces; first += PiecesPerRound)
                {
                    int count = (int)Math.Min(PiecesPerRound, wholePieces - first);
                    long roundStart = first;
                    Workers.Run(threads, count, i =>
                    {
                        long piece = roundStart + i;
                        var way = choice?.Way(piece) ?? PieceWay.Faulted;
                        var buffer = way == PieceWay.Copied ? ArrayPool<byte>.Shared.Rent(pieceBytes) : null;
                        long t0 = TrialStart(choice, buffer, pieceBytes, pieceBytes);
                        try
                        {
                            var data = Piece(way, fd, path, (byte*)start, piece * pieceBytes, pieceBytes, buffer);
                            Blake3.SubtreeCv(data, (ulong)piece * pieceChunks, cvs.AsSpan(i * OutLen, OutLen), backend);
                            TrialEnd(choice, way, t0, (byte*)start, piece * pieceBytes, pieceBytes);
                        }
                        finally
                        {
                            if (buffer is not null)
                                ArrayPool<byte>.Shared.Return(buffer);
                        }
                    }, ct);
                    for (int i = 0; i < count; i++)
                        hasher.AppendSubtreeCv(cvs.AsSpan(i * OutLen, OutLen), pieceChunks);
                }
            }
            byte[]? copyBuffer = null;
            try
            {
                for (long offset = wholePieces * pieceBytes; offset < size; offset += pieceBytes)
                {
                    int len = (int)Math.Min(pieceBytes, size - offset);
                    long piece = offset / pieceBytes;
                    var way = choice?.Way(piece) ?? PieceWay.Faulted;
                    if (way == PieceWay.Copied)
                        copyBuffer ??= ArrayPool<byte>.Shared.Rent(pieceBytes);
                    long t0 = TrialStart(choice, way == PieceWay.Copied ? copyBuffer : null, len, pieceBytes);
                    hasher.Update(Piece(way, fd, path, (byte*)start, offset, len, copyBuffer));
                    TrialEnd(choice, way, t0, (byte*)start, offset, len);
                    ct.ThrowIfCancellationRequested();
                }
            }
            finally
            {
                if (copyBuffer is not null)
                    ArrayPool<byte>.Shared.Return(copyBuffer);
            }
            guarded = false;
            // Zeros read where the file had gone (SIGBUS), or a cut inside the last page (no SIGBUS there: the rest of
            // a file's last page reads as zeros) are both a file shorter now than when it was mapped.
            if (VoltNative.volt_map_guard_release(slot) != 0 || CurrentSize(fd, path) < size)
                throw new IOException($"{path}: the file shrank while it was being hashed");
            long total = ReadToEnd(fd, size, path, hasher, pieceBytes, ct);
            return (hasher.Finalize(), total);
        }
        finally
        {
            if (guarded)
                VoltNative.volt_map_guard_release(slot);
            LibC.munmap(map, (nuint)size);
        }
    }

    /// <summary>
    /// The <paramref name="len"/> bytes at <paramref name="offset"/> of the mapped file: copied into
    /// <paramref name="buffer"/> with pread, or where they lie, populated first for <see cref="PieceWay.Populated"/> (a
    /// failed populate is harmless: the pages fault in as hashed, and a cut file still raises the guarded SIGBUS).
    /// </summary>
    private static ReadOnlySpan<byte> Piece(PieceWay way, int fd, string path, byte* start, long offset, int len, byte[]? buffer)
    {
        if (way == PieceWay.Copied)
        {
            var data = buffer.AsSpan(0, len);
            if (RawFile.ReadFully(fd, data, offset, path) != len)
                throw new IOException($"{path}: the file shrank while it was being hashed");
            return data;
        }
        if (way == PieceWay.Populated && s_populatePieces)
        {
            nint first = (nint)(start + offset) & ~(nint)4095; // madvise takes a page-aligned start
            nuint length = (nuint)((nint)(start + offset) - first + len);
            if (LibC.madvise((void*)first, length, LibC.MADV_POPULATE_READ) != 0 && LibC.Errno == Errno.EINVAL)
                s_populatePieces = false;
        }
        return new ReadOnlySpan<byte>(start + offset, len);
    }

    /// <summary>
    /// Starts timing a piece of <paramref name="len"/> bytes while <paramref name="choice"/> is measuring (whole pieces
    /// only); returns the thread's CPU clock, or 0 when the piece is not a trial. A copy trial's
    /// <paramref name="buffer"/> gets one byte per page touched first: a buffer fresh from the pool would otherwise
    /// fault its pages in inside the trial (as much as the copy itself), and each worker thread gets its own buffers,
    /// so a count of warm-ups does not cover them all. Nothing to fault when the pages are already there.
    /// </summary>
    private static long TrialStart(Blake3PieceChoice? choice, byte[]? buffer, int len, int pieceBytes)
    {
        if (choice is not { Measuring: true } || len != pieceBytes)
            return 0;
        if (buffer is not null)
            for (int i = 0; i < len; i += 4096)
                buffer[i] = 0;
        return LibC.ThreadCpuNanoseconds();
    }

    /// <summary>
    /// Ends a trial begun by <see cref="TrialStart"/> (<paramref name="t0"/> 0: nothing) and records it. A mapping trial's
    /// piece has its pages dropped first (MADV_DONTNEED), inside the trial's time (it is never read again): tearing the
    /// page tables down is part of what the mapping costs (45 ms per GiB here, paid at the final munmap otherwise, which
    /// the trials did not see: they chose the mapping on two threads where the copy was 1.5× faster). Never munmap: a
    /// hole in the range is free address space another thread's mmap (malloc's large blocks) may be given, and the final
    /// munmap of the whole range would then unmap that memory under its owner (CI: a segfault in libc). Only
    /// page-aligned pieces (1 MiB in use) are dropped.
    /// </summary>
    private static void TrialEnd(Blake3PieceChoice? choice, PieceWay way, long t0, byte* start, long offset, int len)
    {
        if (t0 == 0)
            return;
        if (way != PieceWay.Copied && ((nint)(start + offset) & 4095) == 0 && (len & 4095) == 0)
            LibC.madvise(start + offset, (nuint)len, LibC.MADV_DONTNEED);
        choice!.Record(way, LibC.ThreadCpuNanoseconds() - t0);
    }

    /// <summary>Feeds the file from <paramref name="offset"/> to its end into the hasher; returns the end offset.</summary>
    private static long ReadToEnd(int fd, long offset, string path, Blake3Hasher hasher, int pieceBytes, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(pieceBytes);
        try
        {
            int n;
            while ((n = RawFile.ReadFully(fd, buffer.AsSpan(0, pieceBytes), offset, path)) > 0)
            {
                hasher.Update(buffer.AsSpan(0, n));
                offset += n;
                ct.ThrowIfCancellationRequested();
            }
            return offset;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private const int AT_EMPTY_PATH = 0x1000, STATX_TYPE = 0x1, STATX_SIZE = 0x200, S_IFMT = 0xF000, S_IFREG = 0x8000;

    private static bool IsRegularFile(int fd)
    {
        byte* buf = stackalloc byte[256];
        byte empty = 0;
        return LibC.statx(fd, &empty, AT_EMPTY_PATH, STATX_TYPE, buf) == 0 && (*(ushort*)(buf + 28) & S_IFMT) == S_IFREG;
    }

    private static long CurrentSize(int fd, string path)
    {
        byte* buf = stackalloc byte[256];
        byte empty = 0;
        if (LibC.statx(fd, &empty, AT_EMPTY_PATH, STATX_SIZE, buf) != 0)
            throw new IOException($"{path}: {LibC.Describe(LibC.Errno)}");
        return *(long*)(buf + 40);
    }

    /// <summary>The pread path: pieces read into per-worker buffers, the rest streamed through the hasher.</summary>
    private static (byte[] Hash, long Size) HashRead(int fd, long size, string path, int threads, int pieceBytes,
        CancellationToken ct)
    {
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
        long end = ReadToEnd(fd, wholePieces * pieceBytes, path, hasher, pieceBytes, ct);
        return (hasher.Finalize(), end);
    }
}

/// <summary>
/// How <see cref="Blake3File"/> reads a file: Auto maps it and hashes each piece where it lies (populated just before,
/// or faulted in) or copied with pread, as <see cref="Blake3PieceChoice"/> measured cheapest on this CPU; Mmap: the mapping, faulted in
/// as hashed; Populate: the mapping, populated whole when it is made; Pread: never mapped.
/// </summary>
internal enum Blake3Read
{
    Auto,
    Mmap,
    Populate,
    Pread,
}
