using System.Runtime.InteropServices;

namespace Volt.Core.Native;

/// <summary>
/// Volt's own native code (src/Volt.Storage/Hashing/Native/volt_blake3.c), linked into the Native AOT binary as a
/// static object (volt_native.targets: <c>DirectPInvoke</c>, so a call is a direct call, no dlopen). Under the JIT (tests,
/// library use) there is no such library unless a test loads one: every caller goes through
/// <see cref="TryProbe"/>, which turns the missing library into "not available".
/// </summary>
public static unsafe partial class VoltNative
{
    /// <summary>The library name the AOT link resolves directly (volt_native.targets).</summary>
    public const string Lib = "volt_native";

    /// <summary>1 when the CPU has AVX-512F and the OS saves its registers.</summary>
    [LibraryImport(Lib, EntryPoint = "volt_blake3_avx512_usable")]
    public static partial int volt_blake3_avx512_usable();

    /// <summary>The 16-lane AVX-512 BLAKE3 kernel; returns how many inputs it hashed (count rounded down to 16).</summary>
    [LibraryImport(Lib, EntryPoint = "volt_blake3_hash_many16")]
    public static partial int volt_blake3_hash_many16(byte* input, nint stride, int count, int blocks, uint* key,
        ulong counter, int increment, byte flags, byte flagsStart, byte flagsEnd, byte* output);

    /// <summary>Guards a read-only file mapping against SIGBUS; returns a slot or -1.</summary>
    [LibraryImport(Lib, EntryPoint = "volt_map_guard_register")]
    public static partial int volt_map_guard_register(void* start, nuint length);

    /// <summary>Ends a guard; returns 1 if a SIGBUS hit its range (zeros were read there).</summary>
    [LibraryImport(Lib, EntryPoint = "volt_map_guard_release")]
    public static partial int volt_map_guard_release(int slot);

    /// <summary>Whether the native library can be called: linked in (AOT) or loaded (a test's resolver).</summary>
    public static bool TryProbe(out bool avx512)
    {
        try
        {
            avx512 = volt_blake3_avx512_usable() != 0;
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            avx512 = false;
            return false;
        }
    }
}
