using Shouldly;
using Volt.Core.IO;
using Xunit;

namespace Volt.Core.Tests.IO;

public sealed class Sha256Tests
{
    [Fact]
    public void The_managed_hash_equals_the_platform_sha256_for_every_padding_case()
    {
        var data = new byte[300];
        new Random(7).NextBytes(data);
        for (var n = 0; n <= data.Length; n++)
            Convert.ToHexStringLower(Sha256.HashData(data.AsSpan(0, n)))
                .ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data.AsSpan(0, n))), $"length {n}");
    }

    [Fact]
    public void The_managed_hash_of_abc_is_the_fips_180_example()
    {
        Convert.ToHexStringLower(Sha256.HashData("abc"u8)).ShouldBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
