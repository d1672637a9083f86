using System.Runtime.InteropServices;
using Shouldly;
using Volt.Core.IO;
using Volt.Core.Native;
using Volt.Storage.Hashing;
using Volt.Testing;
using Xunit;

namespace Volt.Storage.Tests.Hashing;

/// <summary>
/// Whole-file hashing in pieces on several threads, read with pread or hashed in place through a guarded mapping,
/// gives the one-shot hash at every boundary; a mapped file that shrinks fails the hash and never kills the process.
/// </summary>
public sealed class Blake3FileTests : IDisposable
{
    private readonly TempDir _dir = new("volt-b3file");

    public void Dispose() => _dir.Dispose();

    public static TheoryData<int, int, int> Cases()
    {
        var data = new TheoryData<int, int, int>();
        const int piece = 4096; // 4 chunks: small pieces exercise the merge of many CVs
        int[] sizes = [0, 1, 1024, 1025, piece - 1, piece, piece + 1, 2 * piece, 2 * piece + 1, 7 * piece, 7 * piece + 3, 1000 * piece + 1];
        foreach (int size in sizes)
            foreach (int threads in new[] { 1, 2, 3 })
                data.Add(size, piece, threads);
        data.Add((3 << 20) + 5, Blake3File.PieceBytes, 2);
        data.Add(4 << 20, Blake3File.PieceBytes, 4);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Hash_FileInPieces_MatchesOneShotHash(int size, int piece, int threads)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        var path = _dir.Write("f", bytes);
        int fd = RawFile.OpenRead(path);
        try
        {
            var (hash, n) = Blake3File.Hash(fd, size, path, threads, piece);
            n.ShouldBe(size);
            hash.ShouldBe(Blake3.Hash(bytes));
        }
        finally
        {
            RawFile.Close(fd);
        }
    }

    [Fact]
    public void Hash_OfficialVectorInputs_MatchTheVectors()
    {
        foreach (var v in Blake3TestVectors.Cases)
        {
            var path = _dir.Write($"v{v.InputLen}", Blake3TestVectors.Input(v.InputLen));
            int fd = RawFile.OpenRead(path);
            try { Convert.ToHexStringLower(Blake3File.Hash(fd, v.InputLen, path, 2, 2048).Hash).ShouldBe(v.Hash[..64], v.ToString()); }
            finally { RawFile.Close(fd); }
        }
    }

    [Fact]
    public void Hash_FileShorterThanItsStatedSize_FailsInsteadOfHashingAHole()
    {
        var path = _dir.Write("short", new byte[10_000]);
        int fd = RawFile.OpenRead(path);
        try { Should.Throw<IOException>(() => Blake3File.Hash(fd, 100_000, path, 2, 2048)).Message.ShouldContain("shrank"); }
        finally { RawFile.Close(fd); }
    }

    public static TheoryData<int, int, string> MappedCases()
    {
        var data = new TheoryData<int, int, string>();
        const int piece = 4096;
        // Around chunks and pages (4 KiB), shorter than a page, exactly N pages, many pieces.
        int[] sizes = [1, 1023, 1024, 1025, 4095, 4096, 4097, 3 * 4096, 3 * 4096 + 1, 8 * 4096 - 1, 1000 * piece + 1];
        foreach (int size in sizes)
            foreach (int threads in new[] { 1, 3 })
                foreach (var read in new[] { "Auto", "Mmap", "Populate" })
                    data.Add(size, threads, read);
        data.Add((3 << 20) + 5, 2, "Mmap");
        return data;
    }

    private (byte[] Hash, long Size) HashMapped(string path, long size, int threads, int piece = 4096,
        string read = "Mmap", Action? onMapped = null)
    {
        int fd = RawFile.OpenRead(path);
        try { return Blake3File.Hash(fd, size, path, threads, piece, Enum.Parse<Blake3Read>(read), 1, onMapped, default); }
        finally { RawFile.Close(fd); }
    }

    [Theory]
    [MemberData(nameof(MappedCases))]
    public void Hash_MappedFile_MatchesOneShotHash(int size, int threads, string read)
    {
        NativeObject.Require();
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        var path = _dir.Write("m", bytes);
        bool mapped = false;
        var (hash, n) = HashMapped(path, size, threads, read: read, onMapped: () => mapped = true);
        mapped.ShouldBeTrue();
        n.ShouldBe(size);
        hash.ShouldBe(Blake3.Hash(bytes));
    }

    [DllImport("libc", SetLastError = true)]
    private static extern unsafe int mincore(void* addr, nuint length, byte* vec);

    /// <summary>
    /// No hole opens in a measured file's mapping while it is hashed: the mapping trials once unmapped their piece, the
    /// kernel gave that hole to the next 1 MiB mmap (malloc's large blocks), and the final munmap of the whole range took
    /// it from its owner — a segfault in libc under CI's load. Another thread tries to map each piece's address
    /// (MAP_FIXED_NOREPLACE: only free address space can be taken) until the hash ends.
    /// </summary>
    [Fact]
    public unsafe void Hash_MeasuredFile_OpensNoHoleAnotherThreadCouldBeGiven()
    {
        NativeObject.Require();
        const int size = 64 << 20;
        var bytes = new byte[size];
        new Random(48).NextBytes(bytes);
        var path = _dir.Write("big", bytes);
        const int piece = Blake3File.PieceBytes;
        var taken = new List<nint>();
        var done = 0;
        var mapper = new Thread(() =>
        {
            // The mapping's range, from /proc/self/maps (its line names the file).
            var line = File.ReadLines("/proc/self/maps").First(l => l.EndsWith(path, StringComparison.Ordinal));
            var range = line.Split(' ')[0].Split('-');
            nint lo = (nint)Convert.ToInt64(range[0], 16), hi = (nint)Convert.ToInt64(range[1], 16);
            while (Volatile.Read(ref done) == 0)
                for (nint at = lo; at + piece <= hi; at += piece)
                {
                    void* m = LibC.mmap((void*)at, piece, 3 /* read, write */, 0x100022 /* private, anonymous, fixed-noreplace */, -1, 0);
                    if (m != LibC.MAP_FAILED) lock (taken) taken.Add((nint)m);
                }
        });
        var (hash, n) = HashMapped(path, size, 2, piece, "Auto", onMapped: mapper.Start);
        Volatile.Write(ref done, 1);
        mapper.Join();
        hash.ShouldBe(Blake3.Hash(bytes));
        n.ShouldBe(size);
        var lost = 0;
        byte* vec = stackalloc byte[piece / 4096];
        foreach (var m in taken)
        {
            if (mincore((void*)m, piece, vec) != 0) lost++; // ENOMEM: unmapped under its owner
            else LibC.munmap((void*)m, piece);
        }
        // Pieces it took after the hash's final munmap are its own, and stay mapped; a hole taken during the hash did not.
        lost.ShouldBe(0, $"{lost} of the {taken.Count} pieces another thread mapped were unmapped under it");
    }

    [Fact]
    public void Hash_MappedOfficialVectorInputs_MatchTheVectors()
    {
        NativeObject.Require();
        foreach (var v in Blake3TestVectors.Cases)
        {
            var path = _dir.Write($"mv{v.InputLen}", Blake3TestVectors.Input(v.InputLen));
            foreach (int threads in new[] { 1, 2 })
                Convert.ToHexStringLower(HashMapped(path, v.InputLen, threads, 2048).Hash).ShouldBe(v.Hash[..64], $"{v}, threads {threads}");
        }
    }

    [Fact]
    public void Hash_EmptyFileWithMappingForced_IsReadAndHashesToTheEmptyHash()
    {
        NativeObject.Require();
        var path = _dir.Write("empty", []);
        bool mapped = false;
        var (hash, n) = HashMapped(path, 0, 2, onMapped: () => mapped = true);
        mapped.ShouldBeFalse(); // nothing to map
        n.ShouldBe(0);
        hash.ShouldBe(Blake3.Hash([]));
    }

    private static void Truncate(string path, long length)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        f.SetLength(length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Hash_MappedFileTruncatedWhileHashed_FailsAndTheProcessLives(int threads)
    {
        NativeObject.Require();
        const int size = (3 << 20) + 5;
        var path = _dir.Write("cut", new byte[size]);
        // Every page past the new end raises SIGBUS when the hash reads it; the guard turns that into a failure.
        Should.Throw<IOException>(() => HashMapped(path, size, threads, Blake3File.PieceBytes,
            onMapped: () => Truncate(path, (1 << 20) + 100))).Message.ShouldContain("shrank");
        // The process goes on, and the guard is free again: the next mapped hash works.
        var bytes = new byte[(1 << 20) + 100];
        HashMapped(path, bytes.Length, threads, Blake3File.PieceBytes).Hash.ShouldBe(Blake3.Hash(bytes));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Hash_MeasuredFileTruncatedWhileHashed_FailsWhicheverWayItsPiecesAreRead(int threads)
    {
        NativeObject.Require();
        const int piece = 4096, size = 64 * piece + 7; // enough pieces to time both ways: mapped and copied pieces past the cut
        var path = _dir.Write("cut-auto", new byte[size]);
        Should.Throw<IOException>(() => HashMapped(path, size, threads, piece, "Auto",
            onMapped: () => Truncate(path, 5 * piece + 100))).Message.ShouldContain("shrank");
        var bytes = new byte[5 * piece + 100];
        HashMapped(path, bytes.Length, threads, piece, "Auto").Hash.ShouldBe(Blake3.Hash(bytes));
    }

    [Fact]
    public void Hash_MappedFileCutInsideItsLastPage_Fails()
    {
        NativeObject.Require();
        var path = _dir.Write("cut-page", new byte[10_000]);
        // No SIGBUS here (the page is still part of the file, its tail reads as zeros): the size check catches it.
        Should.Throw<IOException>(() => HashMapped(path, 10_000, 1, onMapped: () => Truncate(path, 9_000)))
            .Message.ShouldContain("shrank");
    }

    [Fact]
    public void Hash_MappedFileGrownWhileHashed_HashesTheAppendedBytesToo()
    {
        NativeObject.Require();
        var bytes = new byte[20_000];
        new Random(2).NextBytes(bytes);
        var path = _dir.Write("grow", bytes.AsSpan(0, 12_288).ToArray());
        var (hash, n) = HashMapped(path, 12_288, 2,
            onMapped: () => File.AppendAllBytes(path, bytes.AsSpan(12_288).ToArray()));
        n.ShouldBe(bytes.Length);
        hash.ShouldBe(Blake3.Hash(bytes));
    }

    [Fact]
    public void Hash_NoGuardSlotLeft_ReadsTheFileInsteadOfMappingIt()
    {
        NativeObject.Require();
        var bytes = new byte[70_000];
        new Random(3).NextBytes(bytes);
        var path = _dir.Write("slots", bytes);
        var taken = new List<int>();
        unsafe
        {
            int slot; // guards on the first page above NULL, which nothing maps
            while ((slot = VoltNative.volt_map_guard_register((void*)0x1000, 1)) >= 0)
                taken.Add(slot);
        }
        try
        {
            bool mapped = false;
            var (hash, n) = HashMapped(path, bytes.Length, 2, onMapped: () => mapped = true);
            mapped.ShouldBeFalse();
            n.ShouldBe(bytes.Length);
            hash.ShouldBe(Blake3.Hash(bytes));
        }
        finally
        {
            foreach (int slot in taken)
                VoltNative.volt_map_guard_release(slot);
        }
        taken.Count.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Hash_FileBelowTheMappingThreshold_IsRead()
    {
        NativeObject.Require();
        var bytes = new byte[Blake3File.MapMinBytes - 1];
        new Random(4).NextBytes(bytes);
        var path = _dir.Write("small", bytes);
        int fd = RawFile.OpenRead(path);
        try
        {
            bool mapped = false;
            var (hash, _) = Blake3File.Hash(fd, bytes.Length, path, 2, Blake3File.PieceBytes, Blake3Read.Mmap,
                Blake3File.MapMinBytes, () => mapped = true, default);
            mapped.ShouldBeFalse();
            hash.ShouldBe(Blake3.Hash(bytes));
        }
        finally
        {
            RawFile.Close(fd);
        }
    }

    [Theory]
    [InlineData("scalar", "Scalar")]
    [InlineData("Vector128", "Vector128")]
    [InlineData("vector256", "Vector256")]
    [InlineData("vector512", "Vector512")]
    [InlineData("7", null)]
    [InlineData("avx9000", null)]
    [InlineData(null, null)]
    public void Choose_KernelVariable_PicksThatKernelOnlyWhenTheCpuRunsIt(string? value, string? named)
    {
        var chosen = Blake3Backends.Choose(value);
        if (named is not null && Blake3Backends.IsSupported(Enum.Parse<Blake3Backend>(named)))
            chosen.ToString().ShouldBe(named);
        else
            chosen.ShouldBe(Blake3Backends.Widest);
    }
}
