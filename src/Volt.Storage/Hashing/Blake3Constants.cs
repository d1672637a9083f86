namespace Volt.Storage.Hashing;

/// <summary>Constants of the BLAKE3 specification (section 2).</summary>
internal static class Blake3Constants
{
    public const int BlockLen = 64;
    public const int ChunkLen = 1024;
    public const int OutLen = 32;
    public const int KeyLen = 32;

    /// <summary>Most chunks any kernel hashes at once (Vector512 lanes).</summary>
    public const int MaxSimdDegree = 16;

    /// <summary>Deepest possible CV stack: 2^64 bytes / 1 KiB chunks = 2^54 chunks, plus one.</summary>
    public const int MaxDepth = 55;

    public const byte ChunkStart = 1 << 0;
    public const byte ChunkEnd = 1 << 1;
    public const byte Parent = 1 << 2;
    public const byte Root = 1 << 3;
    public const byte KeyedHash = 1 << 4;
    public const byte DeriveKeyContext = 1 << 5;
    public const byte DeriveKeyMaterial = 1 << 6;

    public const uint IV0 = 0x6A09E667, IV1 = 0xBB67AE85, IV2 = 0x3C6EF372, IV3 = 0xA54FF53A;
    public const uint IV4 = 0x510E527F, IV5 = 0x9B05688C, IV6 = 0x1F83D9AB, IV7 = 0x5BE0CD19;

    /// <summary>Writes the IV, the key words of unkeyed hashing, into <paramref name="key"/>.</summary>
    public static unsafe void WriteIV(uint* key)
    {
        key[0] = IV0; key[1] = IV1; key[2] = IV2; key[3] = IV3;
        key[4] = IV4; key[5] = IV5; key[6] = IV6; key[7] = IV7;
    }
}
