using Shouldly;
using Volt.Storage.Hashing;
using Volt.Testing;
using Xunit;

namespace Volt.Storage.Tests.Hashing;

/// <summary>Every SIMD kernel, forced one at a time, agrees with the scalar one.</summary>
public sealed class Blake3BackendTests
{
    private const int MiB = 1 << 20;

    /// <summary>Backend names (the enum is internal, theory parameters of public tests cannot be).</summary>
    public static TheoryData<string> SimdBackends() => new("Vector128", "Vector256", "Vector512");

    public static TheoryData<string, int> BackendsAndSizes()
    {
        int[] sizes =
        [
            0, 1, 63, 64, 65, 1023, 1024, 1025, 2048, 2049, 3 * 1024, 4095, 4096, 4097, 8191, 8193, 12287, 12289,
            16383, 16385, 20479, 20481, 32767, 32769, 65535, 65537, 100_000, 262_143, MiB + 7, 17 * MiB + 3,
        ];
        var data = new TheoryData<string, int>();
        foreach (var backend in SimdBackends())
            foreach (int size in sizes)
                data.Add(backend, size);
        return data;
    }

    private static Blake3Backend RequireSupported(string name)
    {
        var backend = Enum.Parse<Blake3Backend>(name);
        TestEnv.RequireHardware(Blake3Backends.IsSupported(backend), $"this CPU cannot run the {backend} kernel");
        return backend;
    }

    private static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] HashWith(Blake3Backend backend, byte[] input, bool parallel)
    {
        var output = new byte[96];
        Blake3.Hash(input, output, backend, parallel);
        return output;
    }

    [Theory]
    [MemberData(nameof(BackendsAndSizes))]
    public void Hash_ForcedSimdBackend_MatchesScalar(string backendName, int size)
    {
        var backend = RequireSupported(backendName);
        var input = RandomBytes(size, size);
        var scalar = HashWith(Blake3Backend.Scalar, input, parallel: false);
        HashWith(backend, input, parallel: false).ShouldBe(scalar);
        HashWith(backend, input, parallel: true).ShouldBe(scalar);
    }

    [Theory]
    [MemberData(nameof(BackendsAndSizes))]
    public void Update_ForcedSimdBackendInOddPieces_MatchesScalar(string backendName, int size)
    {
        var backend = RequireSupported(backendName);
        var input = RandomBytes(size, size + 1);
        var expected = HashWith(Blake3Backend.Scalar, input, parallel: false)[..32];
        using var hasher = Blake3Hasher.Create();
        hasher.Backend = backend;
        hasher.Parallel = true;
        var random = new Random(size);
        for (int offset = 0; offset < size;)
        {
            int piece = Math.Min(random.Next(1, 3 * MiB), size - offset);
            hasher.Update(input.AsSpan(offset, piece));
            offset += piece;
        }
        hasher.Finalize().ShouldBe(expected);
    }

    [Theory]
    [MemberData(nameof(SimdBackends))]
    public void KeyedAndDeriveKeyHashers_ForcedSimdBackend_MatchOfficialVectors(string backendName)
    {
        var backend = RequireSupported(backendName);
        foreach (var vector in Blake3TestVectors.Cases)
        {
            var input = Blake3TestVectors.Input(vector.InputLen);
            var output = new byte[131];
            using (var keyed = Blake3Hasher.CreateKeyed(Blake3TestVectors.Key))
            {
                keyed.Backend = backend;
                keyed.Update(input);
                keyed.Finalize(output);
                Convert.ToHexStringLower(output).ShouldBe(vector.KeyedHash, $"keyed, {vector}");
            }
            using var derive = Blake3Hasher.CreateDeriveKey(Blake3TestVectors.Context);
            derive.Backend = backend;
            derive.Update(input);
            derive.Finalize(output);
            Convert.ToHexStringLower(output).ShouldBe(vector.DeriveKey, $"derive_key, {vector}");
        }
    }

    [Fact]
    public void Best_OnThisMachine_IsTheWidestSupportedKernel()
    {
        var widest = Enum.GetValues<Blake3Backend>().Where(Blake3Backends.IsSupported).Max();
        Blake3Backends.Widest.ShouldBe(widest);
        Blake3Backends.Best.ShouldBe(Blake3Backends.Choose(Environment.GetEnvironmentVariable(Blake3Backends.KernelVariable)));
    }

    [Fact]
    public unsafe void SingleBlockCompress_Vector128Rows_MatchesScalar()
    {
        TestEnv.RequireHardware(Blake3Rows128.IsSupported, "this CPU has no 128-bit vectors");
        var random = new Random(3);
        uint* cv = stackalloc uint[8];
        byte* block = stackalloc byte[64];
        uint* rows = stackalloc uint[16];
        uint* scalar = stackalloc uint[16];
        for (int i = 0; i < 10_000; i++)
        {
            random.NextBytes(new Span<byte>(cv, 32));
            random.NextBytes(new Span<byte>(block, 64));
            ulong counter = (ulong)random.NextInt64();
            uint blockLen = (uint)random.Next(0, 65);
            uint flags = (uint)random.Next(0, 128);
            Blake3Rows128.Compress(cv, block, blockLen, counter, flags, rows);
            Blake3Portable.CompressScalar(cv, block, blockLen, counter, flags, scalar);
            new Span<uint>(rows, 16).SequenceEqual(new Span<uint>(scalar, 16)).ShouldBeTrue($"iteration {i}");
        }
    }
}
