using Xunit;
using Shouldly;
using Volt.Storage.Hashing;

namespace Volt.Storage.Tests.Hashing;

public sealed class Blake3VectorTests
{
    private const int XofLen = 131;

    [Fact]
    public void OfficialVectors_AreAll35Present()
    {
        Blake3TestVectors.Cases.Count.ShouldBe(35);
        Blake3TestVectors.Key.Length.ShouldBe(Blake3.KeyLen);
    }

    [Theory]
    [MemberData(nameof(Blake3TestVectors.InputLengths), MemberType = typeof(Blake3TestVectors))]
    public void Hash_OfficialVector_MatchesAt131Bytes(int inputLen)
    {
        var output = new byte[XofLen];
        Blake3.Hash(Blake3TestVectors.Input(inputLen), output);
        Convert.ToHexStringLower(output).ShouldBe(Blake3TestVectors.Case(inputLen).Hash);
    }

    [Theory]
    [MemberData(nameof(Blake3TestVectors.InputLengths), MemberType = typeof(Blake3TestVectors))]
    public void Hash_OfficialVector_DefaultOutputIsTheFirst32Bytes(int inputLen)
    {
        var expected = Blake3TestVectors.Case(inputLen).Hash[..64];
        var input = Blake3TestVectors.Input(inputLen);
        Convert.ToHexStringLower(Blake3.Hash(input)).ShouldBe(expected);
        Blake3.HashHex(input).ShouldBe(expected);
    }

    [Theory]
    [MemberData(nameof(Blake3TestVectors.InputLengths), MemberType = typeof(Blake3TestVectors))]
    public void KeyedHash_OfficialVector_MatchesAt131Bytes(int inputLen)
    {
        var output = new byte[XofLen];
        Blake3.KeyedHash(Blake3TestVectors.Key, Blake3TestVectors.Input(inputLen), output);
        Convert.ToHexStringLower(output).ShouldBe(Blake3TestVectors.Case(inputLen).KeyedHash);
    }

    [Theory]
    [MemberData(nameof(Blake3TestVectors.InputLengths), MemberType = typeof(Blake3TestVectors))]
    public void DeriveKey_OfficialVector_MatchesAt131Bytes(int inputLen)
    {
        var output = new byte[XofLen];
        Blake3.DeriveKey(Blake3TestVectors.Context, Blake3TestVectors.Input(inputLen), output);
        Convert.ToHexStringLower(output).ShouldBe(Blake3TestVectors.Case(inputLen).DeriveKey);
    }

    [Theory]
    [MemberData(nameof(Blake3TestVectors.InputLengths), MemberType = typeof(Blake3TestVectors))]
    public void Hash_OfficialVector_ShorterOutputIsAPrefix(int inputLen)
    {
        var output = new byte[17];
        Blake3.Hash(Blake3TestVectors.Input(inputLen), output);
        Convert.ToHexStringLower(output).ShouldBe(Blake3TestVectors.Case(inputLen).Hash[..34]);
    }

    [Fact]
    public void KeyedHash_KeyOfWrongLength_Throws()
    {
        Should.Throw<ArgumentException>(() => Blake3.KeyedHash(new byte[31], [], new byte[32]));
        Should.Throw<ArgumentException>(() => Blake3Hasher.CreateKeyed(new byte[33]));
    }
}
