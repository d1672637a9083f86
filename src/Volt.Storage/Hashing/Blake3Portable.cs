using System.Numerics;
using System.Runtime.CompilerServices;
using static Volt.Storage.Hashing.Blake3Constants;

namespace Volt.Storage.Hashing;

/// <summary>One 32-bit word per lane: the scalar instantiation of the round function.</summary>
internal struct ScalarOps : ILaneOps<uint>
{
    public static uint Add(uint a, uint b) => a + b;
    public static uint Xor(uint a, uint b) => a ^ b;
    public static uint Ror16(uint x) => BitOperations.RotateRight(x, 16);
    public static uint Ror12(uint x) => BitOperations.RotateRight(x, 12);
    public static uint Ror8(uint x) => BitOperations.RotateRight(x, 8);
    public static uint Ror7(uint x) => BitOperations.RotateRight(x, 7);
}

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
        Msg16<uint> m;
        uint* w = (uint*)&m;
        for (int i = 0; i < 16; i++)
            w[i] = Unsafe.ReadUnaligned<uint>(block + 4 * i);

        uint v0 = cv[0], v1 = cv[1], v2 = cv[2], v3 = cv[3], v4 = cv[4], v5 = cv[5], v6 = cv[6], v7 = cv[7];
        uint v8 = IV0, v9 = IV1, v10 = IV2, v11 = IV3;
        uint v12 = (uint)counter, v13 = (uint)(counter >> 32), v14 = blockLen, v15 = flags;
        Blake3Rounds.Rounds<ScalarOps, uint>(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7,
            ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15, ref m);
        state[0] = v0; state[1] = v1; state[2] = v2; state[3] = v3;
        state[4] = v4; state[5] = v5; state[6] = v6; state[7] = v7;
        state[8] = v8; state[9] = v9; state[10] = v10; state[11] = v11;
        state[12] = v12; state[13] = v13; state[14] = v14; state[15] = v15;
    }

    /// <summary>Compresses one block into the chaining value <paramref name="cv"/>, in place.</summary>
    public static void CompressCv(uint* cv, byte* block, uint blockLen, ulong counter, uint flags)
    {
        Msg16<uint> state;
        uint* s = (uint*)&state;
        Compress(cv, block, blockLen, counter, flags, s);
        for (int i = 0; i < 8; i++)
            cv[i] = s[i] ^ s[i + 8];
    }

    /// <summary>Compresses one block into 64 bytes of extended output.</summary>
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
