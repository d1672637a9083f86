using System.Runtime.Intrinsics.X86;
using Shouldly;
using Volt.Core.Native;
using Volt.Storage.Hashing;
using Volt.Testing;
using Xunit;

namespace Volt.Storage.Tests.Hashing;

/// <summary>
/// The native AVX-512 kernel the AOT binary hashes with (volt_blake3.c) agrees with the portable kernel lane by lane
/// and, through the tree, gives the official vectors.
/// </summary>
public sealed class Blake3NativeTests
{
    private static void RequireKernel()
    {
        NativeObject.Require();
        TestEnv.RequireHardware(Blake3Native.Avx512, "this CPU has no AVX-512F: the native kernel cannot run here");
    }

    [Fact]
    public void Avx512Check_OnThisCpu_AgreesWithTheRuntime()
    {
        NativeObject.Require();
        Blake3Native.Loaded.ShouldBeTrue();
        if (Avx512F.IsSupported)
            Blake3Native.Avx512.ShouldBeTrue();
    }

    [Theory]
    [InlineData(16, 16, 0UL, true)] // 16 whole chunks
    [InlineData(47, 16, 0xFFFF_FFFBUL, true)] // 32 chunks whose counters carry into the high word, 15 left over
    [InlineData(33, 1, 0UL, false)] // parents: one block each, counter 0 in every lane
    [InlineData(15, 16, 7UL, true)] // fewer than 16: nothing for this kernel
    public unsafe void HashMany16_Inputs_MatchThePortableKernel(int count, int blocks, ulong counter, bool increment)
    {
        RequireKernel();
        var input = new byte[count * blocks * 64];
        new Random(count * 31 + blocks).NextBytes(input);
        var expected = new byte[count * 32];
        var actual = new byte[count * 32];
        uint* key = stackalloc uint[8];
        for (int i = 0; i < 8; i++)
            key[i] = 0x01020304u * (uint)(i + 1);
        byte flags = increment ? (byte)0 : (byte)4, start = increment ? (byte)1 : (byte)0, end = increment ? (byte)2 : (byte)0;
        fixed (byte* p = input)
        fixed (byte* e = expected)
        fixed (byte* a = actual)
        {
            Blake3Portable.HashMany(p, blocks * 64, count, blocks, key, counter, increment, flags, start, end, e);
            int done = VoltNative.volt_blake3_hash_many16(p, blocks * 64, count, blocks, key, counter, increment ? 1 : 0,
                flags, start, end, a);
            done.ShouldBe(count / 16 * 16);
        }
        actual.AsSpan(0, count / 16 * 16 * 32).ToArray().ShouldBe(expected.AsSpan(0, count / 16 * 16 * 32).ToArray());
        actual.AsSpan(count / 16 * 16 * 32).ToArray().ShouldAllBe(b => b == 0); // inputs past the last 16 are left alone
    }

    [Fact]
    public void Tree_WithTheNativeKernel_GivesTheOfficialVectors()
    {
        RequireKernel();
        bool before = Blake3Native.UseKernel;
        Blake3Native.UseKernel = true;
        try
        {
            var output = new byte[32];
            foreach (var v in Blake3TestVectors.Cases)
            {
                var input = Blake3TestVectors.Input(v.InputLen);
                foreach (bool parallel in new[] { false, true })
                {
                    Blake3.Hash(input, output, Blake3Backend.Vector512, parallel);
                    Convert.ToHexStringLower(output).ShouldBe(v.Hash[..64], $"{v}, parallel {parallel}");
                }
                using var keyed = Blake3Hasher.CreateKeyed(Blake3TestVectors.Key);
                keyed.Backend = Blake3Backend.Vector512;
                keyed.Update(input);
                Convert.ToHexStringLower(keyed.Finalize()).ShouldBe(v.KeyedHash[..64], $"keyed, {v}");
            }
        }
        finally
        {
            Blake3Native.UseKernel = before;
        }
    }
}
