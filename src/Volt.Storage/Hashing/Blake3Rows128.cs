using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static Volt.Storage.Hashing.Blake3Constants;
using static Volt.Storage.Hashing.Blake3Vector128;
using V = System.Runtime.Intrinsics.Vector128<uint>;

namespace Volt.Storage.Hashing;

/// <summary>
/// One block at a time with the 4x4 state held as four <c>Vector128&lt;uint&gt;</c> rows: a column step is
/// one G over the rows, then rotating rows 1-3 by 1, 2, 3 lanes lines the diagonals up as columns. This is
/// the single-block compression (partial chunks, inputs under 4 KiB, the root and its XOF output) whenever
/// 128-bit vectors are hardware accelerated.
/// </summary>
[SkipLocalsInit]
internal static unsafe class Blake3Rows128
{
    public static bool IsSupported => Vector128.IsHardwareAccelerated && Blake3Vector128.IsSupported;

    /// <summary>Writes the 16 state words after the seven rounds (before the output feed-forward).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compress(uint* cv, byte* block, uint blockLen, ulong counter, uint flags, uint* state)
    {
        uint* w = (uint*)block;
        V row0 = Vector128.Load(cv), row1 = Vector128.Load(cv + 4);
        V row2 = Vector128.Create(IV0, IV1, IV2, IV3);
        V row3 = Vector128.Create((uint)counter, (uint)(counter >> 32), blockLen, flags);

        // <rounds rows>
        G(ref row0, ref row1, ref row2, ref row3, Vector128.Create(w[0], w[2], w[4], w[6]), Vector128.Create(w[1], w[3], w[5], w[7]));
        Diagonalize(ref row1, ref row2, ref row3);
        G(ref row0, ref row1, ref row2, ref row3, Vector128.Create(w[8], w[10], w[12], w[14]), Vector128.Create(w[9], w[11], w[13], w[15]));
        Undiagonalize(ref row1, ref row2, ref row3);

        G(ref row0, ref row1, ref row2, ref row3, Vector128.Create(w[2], w[3], w[7], w[4]), Vector128.Create(w[6], w[10], w[0], w[13]));
        Diagonalize(ref row1, ref row2, ref row3);
        G(ref row0, ref row1, ref row2, ref row3, Vector128.Create(w[1], w[12], w[9], w[15]), Vector128.Create(w[11], w[5], w[14], w[8]));
        Undiagonalize(ref row1, ref row2, ref row3);

        G(ref row0, ref row1, ref row2, ref row3, Vector128.Create(w[3], w[10], w[13], w[7]), Vector128.Create(w[4], w[12], w[2], w[14]));
        Diagonalize(ref row1, ref row2, ref row3);
        G(ref row0, ref row1, ref row2, ref row3, Vector128.Create(w[6], w[9], w[11], w[8]), Vector128.Create(w[5], w[0], w[15], w[1]));
        Undiagonalize(ref row1, ref row2, ref row3);

        G(ref row0, ref row1, ref row2, ref row3, Vector128.Create(w[10], w[12], w[14], w[13]), Vector128.Create(w[7], w[9], w[3], w[15]));
        Diagonalize(ref row1, ref row2, ref row3);
        G(ref row0, ref row1, ref row2, ref row3, Vector128.Create(w[4], w[11], w[5], w[1]), Vector128.Create(w[0], w[2], w[8], w[6]));
        Undiagonalize(ref row1, ref row2, ref row3);

        G(ref row0, ref row1, ref row2, ref row3, Vector128.Create(w[12], w[9], w[15], w[14]), Vector128.Create(w[13], w[11], w[10], w[8]));
        Diagonalize(ref row1, ref row2, ref row3);
        G(ref row0, ref row1, ref row2, ref row3, Vector128.Create(w[7], w[5], w[0], w[6]), Vector128.Create(w[2], w[3], w[1], w[4]));
        Undiagonalize(ref row1, ref row2, ref row3);

        G(ref row0, ref row1, ref row2, ref row3, Vector128.Create(w[9], w[11], w[8], w[15]), Vector128.Create(w[14], w[5], w[12], w[1]));
        Diagonalize(ref row1, ref row2, ref row3);
        G(ref row0, ref row1, ref row2, ref row3, Vector128.Create(w[13], w[0], w[2], w[4]), Vector128.Create(w[3], w[10], w[6], w[7]));
        Undiagonalize(ref row1, ref row2, ref row3);

        G(ref row0, ref row1, ref row2, ref row3, Vector128.Create(w[11], w[5], w[1], w[8]), Vector128.Create(w[15], w[0], w[9], w[6]));
        Diagonalize(ref row1, ref row2, ref row3);
        G(ref row0, ref row1, ref row2, ref row3, Vector128.Create(w[14], w[2], w[3], w[7]), Vector128.Create(w[10], w[12], w[4], w[13]));
        Undiagonalize(ref row1, ref row2, ref row3);
        // </rounds>

        row0.Store(state);
        row1.Store(state + 4);
        row2.Store(state + 8);
        row3.Store(state + 12);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(ref V a, ref V b, ref V c, ref V d, V mx, V my)
    {
        a += b + mx; d = Ror16(d ^ a); c += d; b = Ror12(b ^ c);
        a += b + my; d = Ror8(d ^ a); c += d; b = Ror7(b ^ c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Diagonalize(ref V row1, ref V row2, ref V row3)
    {
        row1 = Vector128.Shuffle(row1, Vector128.Create(1u, 2, 3, 0));
        row2 = Vector128.Shuffle(row2, Vector128.Create(2u, 3, 0, 1));
        row3 = Vector128.Shuffle(row3, Vector128.Create(3u, 0, 1, 2));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Undiagonalize(ref V row1, ref V row2, ref V row3)
    {
        row1 = Vector128.Shuffle(row1, Vector128.Create(3u, 0, 1, 2));
        row2 = Vector128.Shuffle(row2, Vector128.Create(2u, 3, 0, 1));
        row3 = Vector128.Shuffle(row3, Vector128.Create(1u, 2, 3, 0));
    }
}
