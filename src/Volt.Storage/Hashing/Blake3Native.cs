using System.Runtime.Intrinsics.X86;
using Volt.Core.Native;

namespace Volt.Storage.Hashing;

/// <summary>
/// What Volt's native hashing object (Native/volt_blake3.c, linked into the AOT binary) offers this process: its
/// AVX-512 kernel, used where the managed one cannot run (the AOT binary's AVX2 baseline compiles the managed
/// AVX-512 kernel out, docs/decisions.md) and the CPU has AVX-512; and the SIGBUS guard that lets
/// <see cref="Blake3File"/> hash a mapped file. Under the JIT the object is absent (both off) unless a test loads it
/// and calls <see cref="Probe"/>.
/// </summary>
internal static class Blake3Native
{
    private static bool _loaded, _avx512;

    static Blake3Native() => Probe();

    /// <summary>The native object can be called (the map guard is there).</summary>
    public static bool Loaded => _loaded;

    /// <summary>The native kernel runs on this CPU.</summary>
    public static bool Avx512 => _avx512;

    /// <summary>
    /// <see cref="Blake3Tree.HashMany"/> sends Vector512 work to the native kernel: on when the managed AVX-512 kernel
    /// is not compiled in (or the CPU lacks it) and the native one runs; tests switch it to compare the two.
    /// </summary>
    public static bool UseKernel { get; internal set; }

    /// <summary>(Re)reads what the native object offers; a test calls it after loading the object itself.</summary>
    internal static void Probe()
    {
        _loaded = VoltNative.TryProbe(out _avx512);
        UseKernel = _avx512 && !Avx512F.IsSupported;
    }
}
