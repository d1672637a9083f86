using Xunit;
using Shouldly;
using Volt.Storage.Hashing;

namespace Volt.Storage.Tests.Hashing;

public sealed class Blake3HasherTests
{
    private const int XofLen = 131;

    /// <summary>Split patterns: fixed piece sizes, plus 0 for "random sizes".</summary>
    public static TheoryData<int, int> LengthsAndSplits()
    {
        var data = new TheoryData<int, int>();
        foreach (var c in Blake3TestVectors.Cases)
            foreach (var split in new[] { 1, 63, 64, 65, 1023, 1024, 1025, 0 })
                data.Add(c.InputLen, split);
        return data;
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Pieces(byte[] input, int split, int seed)
    {
        var random = new Random(seed);
        for (int offset = 0; offset < input.Length;)
        {
            int size = split > 0 ? split : random.Next(0, 5000);
            size = Math.Min(size, input.Length - offset);
            yield return input.AsMemory(offset, size);
            offset += size;
        }
    }

    private static string Stream(Blake3Hasher hasher, byte[] input, int split, int seed = 1)
    {
        foreach (var piece in Pieces(input, split, seed))
            hasher.Update(piece.Span);
        var output = new byte[XofLen];
        hasher.Finalize(output);
        return Convert.ToHexStringLower(output);
    }

    [Theory]
    [MemberData(nameof(LengthsAndSplits))]
    public void Update_OfficialVectorInPieces_MatchesHash(int inputLen, int split)
    {
        using var hasher = Blake3Hasher.Create();
        Stream(hasher, Blake3TestVectors.Input(inputLen), split).ShouldBe(Blake3TestVectors.Case(inputLen).Hash);
    }

    [Theory]
    [MemberData(nameof(LengthsAndSplits))]
    public void Update_OfficialVectorInPiecesKeyed_MatchesKeyedHash(int inputLen, int split)
    {
        using var hasher = Blake3Hasher.CreateKeyed(Blake3TestVectors.Key);
        Stream(hasher, Blake3TestVectors.Input(inputLen), split)
            .ShouldBe(Blake3TestVectors.Case(inputLen).KeyedHash);
    }

    [Theory]
    [MemberData(nameof(LengthsAndSplits))]
    public void Update_OfficialVectorInPiecesDerivingKey_MatchesDeriveKey(int inputLen, int split)
    {
        using var hasher = Blake3Hasher.CreateDeriveKey(Blake3TestVectors.Context);
        Stream(hasher, Blake3TestVectors.Input(inputLen), split)
            .ShouldBe(Blake3TestVectors.Case(inputLen).DeriveKey);
    }

    [Theory]
    [MemberData(nameof(LengthsAndSplits))]
    public void Update_ParallelOfficialVectorInPieces_MatchesHash(int inputLen, int split)
    {
        using var hasher = Blake3Hasher.Create();
        hasher.Parallel = true;
        Stream(hasher, Blake3TestVectors.Input(inputLen), split).ShouldBe(Blake3TestVectors.Case(inputLen).Hash);
    }

    [Theory]
    [MemberData(nameof(Blake3TestVectors.InputLengths), MemberType = typeof(Blake3TestVectors))]
    public void Update_ManyRandomSplits_AllGiveTheSameHash(int inputLen)
    {
        var input = Blake3TestVectors.Input(inputLen);
        for (int seed = 0; seed < 8; seed++)
        {
            using var hasher = Blake3Hasher.Create();
            Stream(hasher, input, 0, seed).ShouldBe(Blake3TestVectors.Case(inputLen).Hash);
        }
    }

    [Fact]
    public void Finalize_CalledTwiceAndThenUpdated_KeepsHashing()
    {
        var input = Blake3TestVectors.Input(5000);
        using var hasher = Blake3Hasher.Create();
        hasher.Update(input.AsSpan(0, 2048));
        var first = hasher.Finalize();
        hasher.Finalize().ShouldBe(first);
        first.ShouldBe(Blake3.Hash(input.AsSpan(0, 2048)));
        hasher.Update(input.AsSpan(2048));
        hasher.Finalize().ShouldBe(Blake3.Hash(input));
    }

    [Fact]
    public void Reset_AfterInput_StartsOverWithTheSameKey()
    {
        var input = Blake3TestVectors.Input(3072);
        using var hasher = Blake3Hasher.CreateKeyed(Blake3TestVectors.Key);
        hasher.Update(Blake3TestVectors.Input(7777));
        hasher.Reset();
        hasher.Update(input);
        var output = new byte[XofLen];
        hasher.Finalize(output);
        Convert.ToHexStringLower(output).ShouldBe(Blake3TestVectors.Case(3072).KeyedHash);
    }

    [Fact]
    public void Update_LargeInputInMebibyteReads_MatchesOneShot()
    {
        var input = new byte[(9 << 20) + 12345];
        new Random(42).NextBytes(input);
        foreach (bool parallel in new[] { false, true })
        {
            using var hasher = Blake3Hasher.Create();
            hasher.Parallel = parallel;
            for (int offset = 0; offset < input.Length; offset += 1 << 20)
                hasher.Update(input.AsSpan(offset, Math.Min(1 << 20, input.Length - offset)));
            hasher.Finalize().ShouldBe(Blake3.Hash(input));
        }
    }
}
