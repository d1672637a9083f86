using System.Runtime.Intrinsics.X86;

namespace Volt.Storage.Hashing;

/// <summary>Which many-chunks-at-once kernel hashes whole chunks and parents.</summary>
internal enum Blake3Backend
{
    /// <summary>One block at a time.</summary>
    Scalar,
    /// <summary>4 chunks per pass in <c>Vector128&lt;uint&gt;</c> lanes.</summary>
    Vector128,
    /// <summary>8 chunks per pass in <c>Vector256&lt;uint&gt;</c> lanes (AVX2).</summary>
    Vector256,
    /// <summary>
    /// 16 chunks per pass in <c>Vector512&lt;uint&gt;</c> lanes (AVX-512F): managed under the JIT, the native kernel
    /// (<see cref="Blake3Native"/>) in the AOT binary.
    /// </summary>
    Vector512,
}

/// <summary>Hardware detection for <see cref="Blake3Backend"/>.</summary>
internal static class Blake3Backends
{
    /// <summary>Environment variable that forces a kernel (scalar, vector128, vector256, vector512) for tests and benches.</summary>
    public const string KernelVariable = "VOLT_BLAKE3_KERNEL";

    /// <summary>The widest kernel this CPU supports.</summary>
    public static readonly Blake3Backend Widest =
        IsSupported(Blake3Backend.Vector512) ? Blake3Backend.Vector512
        : IsSupported(Blake3Backend.Vector256) ? Blake3Backend.Vector256
        : IsSupported(Blake3Backend.Vector128) ? Blake3Backend.Vector128
        : Blake3Backend.Scalar;

    /// <summary>The kernel used: <see cref="Widest"/>, unless <see cref="KernelVariable"/> names a supported one.</summary>
    public static readonly Blake3Backend Best = Choose(Environment.GetEnvironmentVariable(KernelVariable));

    internal static Blake3Backend Choose(string? forced) =>
        Enum.TryParse<Blake3Backend>(forced, ignoreCase: true, out var b) && Enum.IsDefined(b) && IsSupported(b) ? b : Widest;

    public static bool IsSupported(Blake3Backend backend) => backend switch
    {
        Blake3Backend.Scalar => true,
        Blake3Backend.Vector128 => Blake3Vector128.IsSupported,
        Blake3Backend.Vector256 => Avx2.IsSupported,
        Blake3Backend.Vector512 => Avx512F.IsSupported || Blake3Native.Avx512,
        _ => false,
    };

    /// <summary>How many inputs the backend hashes per pass.</summary>
    public static int Degree(Blake3Backend backend) => backend switch
    {
        Blake3Backend.Vector512 => 16,
        Blake3Backend.Vector256 => 8,
        Blake3Backend.Vector128 => 4,
        _ => 1,
    };
}
