using Shouldly;
using Volt.Core.IO;
using Volt.Storage.Hashing;
using Volt.Testing;
using Xunit;

namespace Volt.Storage.Tests.Hashing;

/// <summary>Whole-file hashing in pread pieces on several threads gives the one-shot hash at every boundary.</summary>
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
