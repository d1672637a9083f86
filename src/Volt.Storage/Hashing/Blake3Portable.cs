using static System.Numerics.BitOperations;
using System.Runtime.CompilerServices;
using static Volt.Storage.Hashing.Blake3Constants;

namespace Volt.Storage.Hashing;

/// <summary>
/// The portable compression function, one block at a time. All words are little-endian; like every kernel
/// here it assumes a little-endian host (every platform .NET's JIT targets today).
/// </summary>
[SkipLocalsInit]
internal static unsafe class Blake3Portable
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Compress(uint* cv, byte* block, uint blockLen, ulong counter, uint flags, uint* state)
    {
        if (Blake3Rows128.IsSupported)
            Blake3Rows128.Compress(cv, block, blockLen, counter, flags, state);
        else
            CompressScalar(cv, block, blockLen, counter, flags, state);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CompressScalar(uint* cv, byte* block, uint blockLen, ulong counter, uint flags,
        uint* state)
    {
        uint* w = (uint*)block;
        uint v0 = cv[0], v1 = cv[1], v2 = cv[2], v3 = cv[3], v4 = cv[4], v5 = cv[5], v6 = cv[6], v7 = cv[7];
        uint v8 = IV0, v9 = IV1, v10 = IV2, v11 = IV3;
        uint v12 = (uint)counter, v13 = (uint)(counter >> 32), v14 = blockLen, v15 = flags;

        // <rounds scalar>
        v0 += v4 + w[0]; v12 ^= v0; v12 = RotateRight(v12, 16); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 12);
        v0 += v4 + w[1]; v12 ^= v0; v12 = RotateRight(v12, 8); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 7);
        v1 += v5 + w[2]; v13 ^= v1; v13 = RotateRight(v13, 16); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 12);
        v1 += v5 + w[3]; v13 ^= v1; v13 = RotateRight(v13, 8); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 7);
        v2 += v6 + w[4]; v14 ^= v2; v14 = RotateRight(v14, 16); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 12);
        v2 += v6 + w[5]; v14 ^= v2; v14 = RotateRight(v14, 8); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 7);
        v3 += v7 + w[6]; v15 ^= v3; v15 = RotateRight(v15, 16); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 12);
        v3 += v7 + w[7]; v15 ^= v3; v15 = RotateRight(v15, 8); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 7);
        v0 += v5 + w[8]; v15 ^= v0; v15 = RotateRight(v15, 16); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 12);
        v0 += v5 + w[9]; v15 ^= v0; v15 = RotateRight(v15, 8); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 7);
        v1 += v6 + w[10]; v12 ^= v1; v12 = RotateRight(v12, 16); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 12);
        v1 += v6 + w[11]; v12 ^= v1; v12 = RotateRight(v12, 8); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 7);
        v2 += v7 + w[12]; v13 ^= v2; v13 = RotateRight(v13, 16); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 12);
        v2 += v7 + w[13]; v13 ^= v2; v13 = RotateRight(v13, 8); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 7);
        v3 += v4 + w[14]; v14 ^= v3; v14 = RotateRight(v14, 16); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 12);
        v3 += v4 + w[15]; v14 ^= v3; v14 = RotateRight(v14, 8); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 7);

        v0 += v4 + w[2]; v12 ^= v0; v12 = RotateRight(v12, 16); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 12);
        v0 += v4 + w[6]; v12 ^= v0; v12 = RotateRight(v12, 8); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 7);
        v1 += v5 + w[3]; v13 ^= v1; v13 = RotateRight(v13, 16); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 12);
        v1 += v5 + w[10]; v13 ^= v1; v13 = RotateRight(v13, 8); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 7);
        v2 += v6 + w[7]; v14 ^= v2; v14 = RotateRight(v14, 16); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 12);
        v2 += v6 + w[0]; v14 ^= v2; v14 = RotateRight(v14, 8); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 7);
        v3 += v7 + w[4]; v15 ^= v3; v15 = RotateRight(v15, 16); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 12);
        v3 += v7 + w[13]; v15 ^= v3; v15 = RotateRight(v15, 8); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 7);
        v0 += v5 + w[1]; v15 ^= v0; v15 = RotateRight(v15, 16); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 12);
        v0 += v5 + w[11]; v15 ^= v0; v15 = RotateRight(v15, 8); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 7);
        v1 += v6 + w[12]; v12 ^= v1; v12 = RotateRight(v12, 16); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 12);
        v1 += v6 + w[5]; v12 ^= v1; v12 = RotateRight(v12, 8); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 7);
        v2 += v7 + w[9]; v13 ^= v2; v13 = RotateRight(v13, 16); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 12);
        v2 += v7 + w[14]; v13 ^= v2; v13 = RotateRight(v13, 8); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 7);
        v3 += v4 + w[15]; v14 ^= v3; v14 = RotateRight(v14, 16); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 12);
        v3 += v4 + w[8]; v14 ^= v3; v14 = RotateRight(v14, 8); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 7);

        v0 += v4 + w[3]; v12 ^= v0; v12 = RotateRight(v12, 16); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 12);
        v0 += v4 + w[4]; v12 ^= v0; v12 = RotateRight(v12, 8); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 7);
        v1 += v5 + w[10]; v13 ^= v1; v13 = RotateRight(v13, 16); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 12);
        v1 += v5 + w[12]; v13 ^= v1; v13 = RotateRight(v13, 8); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 7);
        v2 += v6 + w[13]; v14 ^= v2; v14 = RotateRight(v14, 16); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 12);
        v2 += v6 + w[2]; v14 ^= v2; v14 = RotateRight(v14, 8); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 7);
        v3 += v7 + w[7]; v15 ^= v3; v15 = RotateRight(v15, 16); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 12);
        v3 += v7 + w[14]; v15 ^= v3; v15 = RotateRight(v15, 8); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 7);
        v0 += v5 + w[6]; v15 ^= v0; v15 = RotateRight(v15, 16); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 12);
        v0 += v5 + w[5]; v15 ^= v0; v15 = RotateRight(v15, 8); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 7);
        v1 += v6 + w[9]; v12 ^= v1; v12 = RotateRight(v12, 16); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 12);
        v1 += v6 + w[0]; v12 ^= v1; v12 = RotateRight(v12, 8); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 7);
        v2 += v7 + w[11]; v13 ^= v2; v13 = RotateRight(v13, 16); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 12);
        v2 += v7 + w[15]; v13 ^= v2; v13 = RotateRight(v13, 8); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 7);
        v3 += v4 + w[8]; v14 ^= v3; v14 = RotateRight(v14, 16); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 12);
        v3 += v4 + w[1]; v14 ^= v3; v14 = RotateRight(v14, 8); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 7);

        v0 += v4 + w[10]; v12 ^= v0; v12 = RotateRight(v12, 16); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 12);
        v0 += v4 + w[7]; v12 ^= v0; v12 = RotateRight(v12, 8); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 7);
        v1 += v5 + w[12]; v13 ^= v1; v13 = RotateRight(v13, 16); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 12);
        v1 += v5 + w[9]; v13 ^= v1; v13 = RotateRight(v13, 8); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 7);
        v2 += v6 + w[14]; v14 ^= v2; v14 = RotateRight(v14, 16); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 12);
        v2 += v6 + w[3]; v14 ^= v2; v14 = RotateRight(v14, 8); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 7);
        v3 += v7 + w[13]; v15 ^= v3; v15 = RotateRight(v15, 16); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 12);
        v3 += v7 + w[15]; v15 ^= v3; v15 = RotateRight(v15, 8); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 7);
        v0 += v5 + w[4]; v15 ^= v0; v15 = RotateRight(v15, 16); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 12);
        v0 += v5 + w[0]; v15 ^= v0; v15 = RotateRight(v15, 8); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 7);
        v1 += v6 + w[11]; v12 ^= v1; v12 = RotateRight(v12, 16); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 12);
        v1 += v6 + w[2]; v12 ^= v1; v12 = RotateRight(v12, 8); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 7);
        v2 += v7 + w[5]; v13 ^= v2; v13 = RotateRight(v13, 16); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 12);
        v2 += v7 + w[8]; v13 ^= v2; v13 = RotateRight(v13, 8); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 7);
        v3 += v4 + w[1]; v14 ^= v3; v14 = RotateRight(v14, 16); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 12);
        v3 += v4 + w[6]; v14 ^= v3; v14 = RotateRight(v14, 8); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 7);

        v0 += v4 + w[12]; v12 ^= v0; v12 = RotateRight(v12, 16); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 12);
        v0 += v4 + w[13]; v12 ^= v0; v12 = RotateRight(v12, 8); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 7);
        v1 += v5 + w[9]; v13 ^= v1; v13 = RotateRight(v13, 16); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 12);
        v1 += v5 + w[11]; v13 ^= v1; v13 = RotateRight(v13, 8); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 7);
        v2 += v6 + w[15]; v14 ^= v2; v14 = RotateRight(v14, 16); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 12);
        v2 += v6 + w[10]; v14 ^= v2; v14 = RotateRight(v14, 8); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 7);
        v3 += v7 + w[14]; v15 ^= v3; v15 = RotateRight(v15, 16); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 12);
        v3 += v7 + w[8]; v15 ^= v3; v15 = RotateRight(v15, 8); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 7);
        v0 += v5 + w[7]; v15 ^= v0; v15 = RotateRight(v15, 16); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 12);
        v0 += v5 + w[2]; v15 ^= v0; v15 = RotateRight(v15, 8); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 7);
        v1 += v6 + w[5]; v12 ^= v1; v12 = RotateRight(v12, 16); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 12);
        v1 += v6 + w[3]; v12 ^= v1; v12 = RotateRight(v12, 8); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 7);
        v2 += v7 + w[0]; v13 ^= v2; v13 = RotateRight(v13, 16); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 12);
        v2 += v7 + w[1]; v13 ^= v2; v13 = RotateRight(v13, 8); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 7);
        v3 += v4 + w[6]; v14 ^= v3; v14 = RotateRight(v14, 16); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 12);
        v3 += v4 + w[4]; v14 ^= v3; v14 = RotateRight(v14, 8); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 7);

        v0 += v4 + w[9]; v12 ^= v0; v12 = RotateRight(v12, 16); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 12);
        v0 += v4 + w[14]; v12 ^= v0; v12 = RotateRight(v12, 8); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 7);
        v1 += v5 + w[11]; v13 ^= v1; v13 = RotateRight(v13, 16); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 12);
        v1 += v5 + w[5]; v13 ^= v1; v13 = RotateRight(v13, 8); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 7);
        v2 += v6 + w[8]; v14 ^= v2; v14 = RotateRight(v14, 16); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 12);
        v2 += v6 + w[12]; v14 ^= v2; v14 = RotateRight(v14, 8); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 7);
        v3 += v7 + w[15]; v15 ^= v3; v15 = RotateRight(v15, 16); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 12);
        v3 += v7 + w[1]; v15 ^= v3; v15 = RotateRight(v15, 8); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 7);
        v0 += v5 + w[13]; v15 ^= v0; v15 = RotateRight(v15, 16); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 12);
        v0 += v5 + w[3]; v15 ^= v0; v15 = RotateRight(v15, 8); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 7);
        v1 += v6 + w[0]; v12 ^= v1; v12 = RotateRight(v12, 16); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 12);
        v1 += v6 + w[10]; v12 ^= v1; v12 = RotateRight(v12, 8); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 7);
        v2 += v7 + w[2]; v13 ^= v2; v13 = RotateRight(v13, 16); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 12);
        v2 += v7 + w[6]; v13 ^= v2; v13 = RotateRight(v13, 8); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 7);
        v3 += v4 + w[4]; v14 ^= v3; v14 = RotateRight(v14, 16); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 12);
        v3 += v4 + w[7]; v14 ^= v3; v14 = RotateRight(v14, 8); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 7);

        v0 += v4 + w[11]; v12 ^= v0; v12 = RotateRight(v12, 16); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 12);
        v0 += v4 + w[15]; v12 ^= v0; v12 = RotateRight(v12, 8); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 7);
        v1 += v5 + w[5]; v13 ^= v1; v13 = RotateRight(v13, 16); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 12);
        v1 += v5 + w[0]; v13 ^= v1; v13 = RotateRight(v13, 8); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 7);
        v2 += v6 + w[1]; v14 ^= v2; v14 = RotateRight(v14, 16); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 12);
        v2 += v6 + w[9]; v14 ^= v2; v14 = RotateRight(v14, 8); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 7);
        v3 += v7 + w[8]; v15 ^= v3; v15 = RotateRight(v15, 16); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 12);
        v3 += v7 + w[6]; v15 ^= v3; v15 = RotateRight(v15, 8); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 7);
        v0 += v5 + w[14]; v15 ^= v0; v15 = RotateRight(v15, 16); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 12);
        v0 += v5 + w[10]; v15 ^= v0; v15 = RotateRight(v15, 8); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 7);
        v1 += v6 + w[2]; v12 ^= v1; v12 = RotateRight(v12, 16); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 12);
        v1 += v6 + w[12]; v12 ^= v1; v12 = RotateRight(v12, 8); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 7);
        v2 += v7 + w[3]; v13 ^= v2; v13 = RotateRight(v13, 16); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 12);
        v2 += v7 + w[4]; v13 ^= v2; v13 = RotateRight(v13, 8); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 7);
        v3 += v4 + w[7]; v14 ^= v3; v14 = RotateRight(v14, 16); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 12);
        v3 += v4 + w[13]; v14 ^= v3; v14 = RotateRight(v14, 8); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 7);
        // </rounds>

        state[0] = v0; state[1] = v1; state[2] = v2; state[3] = v3;
        state[4] = v4; state[5] = v5; state[6] = v6; state[7] = v7;
        state[8] = v8; state[9] = v9; state[10] = v10; state[11] = v11;
        state[12] = v12; state[13] = v13; state[14] = v14; state[15] = v15;
    }

    /// <summary>Compresses one block into the chaining value <paramref name="cv"/>, in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CompressCv(uint* cv, byte* block, uint blockLen, ulong counter, uint flags)
    {
        Msg16<uint> state;
        uint* s = (uint*)&state;
        Compress(cv, block, blockLen, counter, flags, s);
        for (int i = 0; i < 8; i++)
            cv[i] = s[i] ^ s[i + 8];
    }

    /// <summary>Compresses one block into 64 bytes of extended output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CompressXof(uint* cv, byte* block, uint blockLen, ulong counter, uint flags, byte* out64)
    {
        Msg16<uint> state;
        uint* s = (uint*)&state;
        Compress(cv, block, blockLen, counter, flags, s);
        uint* o = (uint*)out64;
        for (int i = 0; i < 8; i++)
        {
            Unsafe.WriteUnaligned(o + i, s[i] ^ s[i + 8]);
            Unsafe.WriteUnaligned(o + i + 8, s[i + 8] ^ cv[i]);
        }
    }

    /// <summary>
    /// Hashes <paramref name="count"/> inputs of <paramref name="blocks"/> full blocks each, one after another,
    /// writing one 32-byte chaining value per input. See <see cref="Blake3Tree.HashMany"/>.
    /// </summary>
    public static void HashMany(byte* input, nint stride, int count, int blocks, uint* key, ulong counter,
        bool incrementCounter, byte flags, byte flagsStart, byte flagsEnd, byte* output)
    {
        for (int i = 0; i < count; i++, input += stride, output += OutLen)
        {
            uint* cv = (uint*)output;
            for (int k = 0; k < 8; k++)
                cv[k] = key[k];
            uint blockFlags = (uint)(flags | flagsStart);
            for (int b = 0; b < blocks; b++)
            {
                if (b == blocks - 1)
                    blockFlags |= flagsEnd;
                CompressCv(cv, input + b * BlockLen, BlockLen, counter, blockFlags);
                blockFlags = flags;
            }
            if (incrementCounter)
                counter++;
        }
    }
}
