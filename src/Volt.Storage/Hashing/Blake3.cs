namespace Volt.Storage.Hashing;

/// <summary>BLAKE3 (placeholder until the SIMD implementation lands).</summary>
public static partial class Blake3
{
}
