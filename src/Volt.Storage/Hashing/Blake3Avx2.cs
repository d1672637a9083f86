using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static System.Runtime.Intrinsics.X86.Avx2;
using static Volt.Storage.Hashing.Blake3Constants;
using V = System.Runtime.Intrinsics.Vector256<uint>;

namespace Volt.Storage.Hashing;

/// <summary>
/// Hashes 8 inputs at once, one per lane of <c>Vector256&lt;uint&gt;</c> (see <see cref="Blake3Avx512"/>).
/// Rotations are AVX-512VL rotates where available, else byte shuffles (16, 8) or shift, shift, or (12, 7).
/// Needs AVX2.
/// </summary>
[SkipLocalsInit]
internal static unsafe class Blake3Avx2
{
    public const int Degree = 8;

    /// <summary>How far ahead each lane prefetches (see <see cref="Blake3Avx512"/>).</summary>
    private const int PrefetchAhead = 128;

    /// <summary>Like <see cref="Blake3Portable.HashMany"/> for exactly 8 inputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HashMany8(byte* input, nint stride, int blocks, uint* key, ulong counter,
        bool incrementCounter, byte flags, byte flagsStart, byte flagsEnd, byte* output)
    {
        uint* counters = stackalloc uint[2 * Degree];
        Blake3Tree.LaneCounters(counter, incrementCounter, Degree, counters);
        V counterLo = Vector256.Load(counters), counterHi = Vector256.Load(counters + Degree);
        V h0 = Vector256.Create(key[0]), h1 = Vector256.Create(key[1]);
        V h2 = Vector256.Create(key[2]), h3 = Vector256.Create(key[3]);
        V h4 = Vector256.Create(key[4]), h5 = Vector256.Create(key[5]);
        V h6 = Vector256.Create(key[6]), h7 = Vector256.Create(key[7]);
        Unsafe.SkipInit(out Msg16<V> m);
        uint blockFlags = (uint)(flags | flagsStart);
        for (int b = 0; b < blocks; b++)
        {
            if (b == blocks - 1)
                blockFlags |= flagsEnd;
            for (int lane = 0; lane < Degree; lane++)
                Sse.Prefetch0(input + lane * stride + b * BlockLen + PrefetchAhead);
            LoadHalf(input + b * BlockLen, stride, out m.M0, out m.M1, out m.M2, out m.M3,
                out m.M4, out m.M5, out m.M6, out m.M7);
            LoadHalf(input + b * BlockLen + 32, stride, out m.M8, out m.M9, out m.M10, out m.M11,
                out m.M12, out m.M13, out m.M14, out m.M15);
            V v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
            V v8 = Vector256.Create(IV0), v9 = Vector256.Create(IV1);
            V v10 = Vector256.Create(IV2), v11 = Vector256.Create(IV3);
            V v12 = counterLo, v13 = counterHi;
            V v14 = Vector256.Create((uint)BlockLen), v15 = Vector256.Create(blockFlags);

            // <rounds v256>
            v0 += v4 + m.M0; v12 ^= v0; v12 = Ror16(v12); v8 += v12; v4 ^= v8; v4 = Ror12(v4);
            v0 += v4 + m.M1; v12 ^= v0; v12 = Ror8(v12); v8 += v12; v4 ^= v8; v4 = Ror7(v4);
            v1 += v5 + m.M2; v13 ^= v1; v13 = Ror16(v13); v9 += v13; v5 ^= v9; v5 = Ror12(v5);
            v1 += v5 + m.M3; v13 ^= v1; v13 = Ror8(v13); v9 += v13; v5 ^= v9; v5 = Ror7(v5);
            v2 += v6 + m.M4; v14 ^= v2; v14 = Ror16(v14); v10 += v14; v6 ^= v10; v6 = Ror12(v6);
            v2 += v6 + m.M5; v14 ^= v2; v14 = Ror8(v14); v10 += v14; v6 ^= v10; v6 = Ror7(v6);
            v3 += v7 + m.M6; v15 ^= v3; v15 = Ror16(v15); v11 += v15; v7 ^= v11; v7 = Ror12(v7);
            v3 += v7 + m.M7; v15 ^= v3; v15 = Ror8(v15); v11 += v15; v7 ^= v11; v7 = Ror7(v7);
            v0 += v5 + m.M8; v15 ^= v0; v15 = Ror16(v15); v10 += v15; v5 ^= v10; v5 = Ror12(v5);
            v0 += v5 + m.M9; v15 ^= v0; v15 = Ror8(v15); v10 += v15; v5 ^= v10; v5 = Ror7(v5);
            v1 += v6 + m.M10; v12 ^= v1; v12 = Ror16(v12); v11 += v12; v6 ^= v11; v6 = Ror12(v6);
            v1 += v6 + m.M11; v12 ^= v1; v12 = Ror8(v12); v11 += v12; v6 ^= v11; v6 = Ror7(v6);
            v2 += v7 + m.M12; v13 ^= v2; v13 = Ror16(v13); v8 += v13; v7 ^= v8; v7 = Ror12(v7);
            v2 += v7 + m.M13; v13 ^= v2; v13 = Ror8(v13); v8 += v13; v7 ^= v8; v7 = Ror7(v7);
            v3 += v4 + m.M14; v14 ^= v3; v14 = Ror16(v14); v9 += v14; v4 ^= v9; v4 = Ror12(v4);
            v3 += v4 + m.M15; v14 ^= v3; v14 = Ror8(v14); v9 += v14; v4 ^= v9; v4 = Ror7(v4);

            v0 += v4 + m.M2; v12 ^= v0; v12 = Ror16(v12); v8 += v12; v4 ^= v8; v4 = Ror12(v4);
            v0 += v4 + m.M6; v12 ^= v0; v12 = Ror8(v12); v8 += v12; v4 ^= v8; v4 = Ror7(v4);
            v1 += v5 + m.M3; v13 ^= v1; v13 = Ror16(v13); v9 += v13; v5 ^= v9; v5 = Ror12(v5);
            v1 += v5 + m.M10; v13 ^= v1; v13 = Ror8(v13); v9 += v13; v5 ^= v9; v5 = Ror7(v5);
            v2 += v6 + m.M7; v14 ^= v2; v14 = Ror16(v14); v10 += v14; v6 ^= v10; v6 = Ror12(v6);
            v2 += v6 + m.M0; v14 ^= v2; v14 = Ror8(v14); v10 += v14; v6 ^= v10; v6 = Ror7(v6);
            v3 += v7 + m.M4; v15 ^= v3; v15 = Ror16(v15); v11 += v15; v7 ^= v11; v7 = Ror12(v7);
            v3 += v7 + m.M13; v15 ^= v3; v15 = Ror8(v15); v11 += v15; v7 ^= v11; v7 = Ror7(v7);
            v0 += v5 + m.M1; v15 ^= v0; v15 = Ror16(v15); v10 += v15; v5 ^= v10; v5 = Ror12(v5);
            v0 += v5 + m.M11; v15 ^= v0; v15 = Ror8(v15); v10 += v15; v5 ^= v10; v5 = Ror7(v5);
            v1 += v6 + m.M12; v12 ^= v1; v12 = Ror16(v12); v11 += v12; v6 ^= v11; v6 = Ror12(v6);
            v1 += v6 + m.M5; v12 ^= v1; v12 = Ror8(v12); v11 += v12; v6 ^= v11; v6 = Ror7(v6);
            v2 += v7 + m.M9; v13 ^= v2; v13 = Ror16(v13); v8 += v13; v7 ^= v8; v7 = Ror12(v7);
            v2 += v7 + m.M14; v13 ^= v2; v13 = Ror8(v13); v8 += v13; v7 ^= v8; v7 = Ror7(v7);
            v3 += v4 + m.M15; v14 ^= v3; v14 = Ror16(v14); v9 += v14; v4 ^= v9; v4 = Ror12(v4);
            v3 += v4 + m.M8; v14 ^= v3; v14 = Ror8(v14); v9 += v14; v4 ^= v9; v4 = Ror7(v4);

            v0 += v4 + m.M3; v12 ^= v0; v12 = Ror16(v12); v8 += v12; v4 ^= v8; v4 = Ror12(v4);
            v0 += v4 + m.M4; v12 ^= v0; v12 = Ror8(v12); v8 += v12; v4 ^= v8; v4 = Ror7(v4);
            v1 += v5 + m.M10; v13 ^= v1; v13 = Ror16(v13); v9 += v13; v5 ^= v9; v5 = Ror12(v5);
            v1 += v5 + m.M12; v13 ^= v1; v13 = Ror8(v13); v9 += v13; v5 ^= v9; v5 = Ror7(v5);
            v2 += v6 + m.M13; v14 ^= v2; v14 = Ror16(v14); v10 += v14; v6 ^= v10; v6 = Ror12(v6);
            v2 += v6 + m.M2; v14 ^= v2; v14 = Ror8(v14); v10 += v14; v6 ^= v10; v6 = Ror7(v6);
            v3 += v7 + m.M7; v15 ^= v3; v15 = Ror16(v15); v11 += v15; v7 ^= v11; v7 = Ror12(v7);
            v3 += v7 + m.M14; v15 ^= v3; v15 = Ror8(v15); v11 += v15; v7 ^= v11; v7 = Ror7(v7);
            v0 += v5 + m.M6; v15 ^= v0; v15 = Ror16(v15); v10 += v15; v5 ^= v10; v5 = Ror12(v5);
            v0 += v5 + m.M5; v15 ^= v0; v15 = Ror8(v15); v10 += v15; v5 ^= v10; v5 = Ror7(v5);
            v1 += v6 + m.M9; v12 ^= v1; v12 = Ror16(v12); v11 += v12; v6 ^= v11; v6 = Ror12(v6);
            v1 += v6 + m.M0; v12 ^= v1; v12 = Ror8(v12); v11 += v12; v6 ^= v11; v6 = Ror7(v6);
            v2 += v7 + m.M11; v13 ^= v2; v13 = Ror16(v13); v8 += v13; v7 ^= v8; v7 = Ror12(v7);
            v2 += v7 + m.M15; v13 ^= v2; v13 = Ror8(v13); v8 += v13; v7 ^= v8; v7 = Ror7(v7);
            v3 += v4 + m.M8; v14 ^= v3; v14 = Ror16(v14); v9 += v14; v4 ^= v9; v4 = Ror12(v4);
            v3 += v4 + m.M1; v14 ^= v3; v14 = Ror8(v14); v9 += v14; v4 ^= v9; v4 = Ror7(v4);

            v0 += v4 + m.M10; v12 ^= v0; v12 = Ror16(v12); v8 += v12; v4 ^= v8; v4 = Ror12(v4);
            v0 += v4 + m.M7; v12 ^= v0; v12 = Ror8(v12); v8 += v12; v4 ^= v8; v4 = Ror7(v4);
            v1 += v5 + m.M12; v13 ^= v1; v13 = Ror16(v13); v9 += v13; v5 ^= v9; v5 = Ror12(v5);
            v1 += v5 + m.M9; v13 ^= v1; v13 = Ror8(v13); v9 += v13; v5 ^= v9; v5 = Ror7(v5);
            v2 += v6 + m.M14; v14 ^= v2; v14 = Ror16(v14); v10 += v14; v6 ^= v10; v6 = Ror12(v6);
            v2 += v6 + m.M3; v14 ^= v2; v14 = Ror8(v14); v10 += v14; v6 ^= v10; v6 = Ror7(v6);
            v3 += v7 + m.M13; v15 ^= v3; v15 = Ror16(v15); v11 += v15; v7 ^= v11; v7 = Ror12(v7);
            v3 += v7 + m.M15; v15 ^= v3; v15 = Ror8(v15); v11 += v15; v7 ^= v11; v7 = Ror7(v7);
            v0 += v5 + m.M4; v15 ^= v0; v15 = Ror16(v15); v10 += v15; v5 ^= v10; v5 = Ror12(v5);
            v0 += v5 + m.M0; v15 ^= v0; v15 = Ror8(v15); v10 += v15; v5 ^= v10; v5 = Ror7(v5);
            v1 += v6 + m.M11; v12 ^= v1; v12 = Ror16(v12); v11 += v12; v6 ^= v11; v6 = Ror12(v6);
            v1 += v6 + m.M2; v12 ^= v1; v12 = Ror8(v12); v11 += v12; v6 ^= v11; v6 = Ror7(v6);
            v2 += v7 + m.M5; v13 ^= v2; v13 = Ror16(v13); v8 += v13; v7 ^= v8; v7 = Ror12(v7);
            v2 += v7 + m.M8; v13 ^= v2; v13 = Ror8(v13); v8 += v13; v7 ^= v8; v7 = Ror7(v7);
            v3 += v4 + m.M1; v14 ^= v3; v14 = Ror16(v14); v9 += v14; v4 ^= v9; v4 = Ror12(v4);
            v3 += v4 + m.M6; v14 ^= v3; v14 = Ror8(v14); v9 += v14; v4 ^= v9; v4 = Ror7(v4);

            v0 += v4 + m.M12; v12 ^= v0; v12 = Ror16(v12); v8 += v12; v4 ^= v8; v4 = Ror12(v4);
            v0 += v4 + m.M13; v12 ^= v0; v12 = Ror8(v12); v8 += v12; v4 ^= v8; v4 = Ror7(v4);
            v1 += v5 + m.M9; v13 ^= v1; v13 = Ror16(v13); v9 += v13; v5 ^= v9; v5 = Ror12(v5);
            v1 += v5 + m.M11; v13 ^= v1; v13 = Ror8(v13); v9 += v13; v5 ^= v9; v5 = Ror7(v5);
            v2 += v6 + m.M15; v14 ^= v2; v14 = Ror16(v14); v10 += v14; v6 ^= v10; v6 = Ror12(v6);
            v2 += v6 + m.M10; v14 ^= v2; v14 = Ror8(v14); v10 += v14; v6 ^= v10; v6 = Ror7(v6);
            v3 += v7 + m.M14; v15 ^= v3; v15 = Ror16(v15); v11 += v15; v7 ^= v11; v7 = Ror12(v7);
            v3 += v7 + m.M8; v15 ^= v3; v15 = Ror8(v15); v11 += v15; v7 ^= v11; v7 = Ror7(v7);
            v0 += v5 + m.M7; v15 ^= v0; v15 = Ror16(v15); v10 += v15; v5 ^= v10; v5 = Ror12(v5);
            v0 += v5 + m.M2; v15 ^= v0; v15 = Ror8(v15); v10 += v15; v5 ^= v10; v5 = Ror7(v5);
            v1 += v6 + m.M5; v12 ^= v1; v12 = Ror16(v12); v11 += v12; v6 ^= v11; v6 = Ror12(v6);
            v1 += v6 + m.M3; v12 ^= v1; v12 = Ror8(v12); v11 += v12; v6 ^= v11; v6 = Ror7(v6);
            v2 += v7 + m.M0; v13 ^= v2; v13 = Ror16(v13); v8 += v13; v7 ^= v8; v7 = Ror12(v7);
            v2 += v7 + m.M1; v13 ^= v2; v13 = Ror8(v13); v8 += v13; v7 ^= v8; v7 = Ror7(v7);
            v3 += v4 + m.M6; v14 ^= v3; v14 = Ror16(v14); v9 += v14; v4 ^= v9; v4 = Ror12(v4);
            v3 += v4 + m.M4; v14 ^= v3; v14 = Ror8(v14); v9 += v14; v4 ^= v9; v4 = Ror7(v4);

            v0 += v4 + m.M9; v12 ^= v0; v12 = Ror16(v12); v8 += v12; v4 ^= v8; v4 = Ror12(v4);
            v0 += v4 + m.M14; v12 ^= v0; v12 = Ror8(v12); v8 += v12; v4 ^= v8; v4 = Ror7(v4);
            v1 += v5 + m.M11; v13 ^= v1; v13 = Ror16(v13); v9 += v13; v5 ^= v9; v5 = Ror12(v5);
            v1 += v5 + m.M5; v13 ^= v1; v13 = Ror8(v13); v9 += v13; v5 ^= v9; v5 = Ror7(v5);
            v2 += v6 + m.M8; v14 ^= v2; v14 = Ror16(v14); v10 += v14; v6 ^= v10; v6 = Ror12(v6);
            v2 += v6 + m.M12; v14 ^= v2; v14 = Ror8(v14); v10 += v14; v6 ^= v10; v6 = Ror7(v6);
            v3 += v7 + m.M15; v15 ^= v3; v15 = Ror16(v15); v11 += v15; v7 ^= v11; v7 = Ror12(v7);
            v3 += v7 + m.M1; v15 ^= v3; v15 = Ror8(v15); v11 += v15; v7 ^= v11; v7 = Ror7(v7);
            v0 += v5 + m.M13; v15 ^= v0; v15 = Ror16(v15); v10 += v15; v5 ^= v10; v5 = Ror12(v5);
            v0 += v5 + m.M3; v15 ^= v0; v15 = Ror8(v15); v10 += v15; v5 ^= v10; v5 = Ror7(v5);
            v1 += v6 + m.M0; v12 ^= v1; v12 = Ror16(v12); v11 += v12; v6 ^= v11; v6 = Ror12(v6);
            v1 += v6 + m.M10; v12 ^= v1; v12 = Ror8(v12); v11 += v12; v6 ^= v11; v6 = Ror7(v6);
            v2 += v7 + m.M2; v13 ^= v2; v13 = Ror16(v13); v8 += v13; v7 ^= v8; v7 = Ror12(v7);
            v2 += v7 + m.M6; v13 ^= v2; v13 = Ror8(v13); v8 += v13; v7 ^= v8; v7 = Ror7(v7);
            v3 += v4 + m.M4; v14 ^= v3; v14 = Ror16(v14); v9 += v14; v4 ^= v9; v4 = Ror12(v4);
            v3 += v4 + m.M7; v14 ^= v3; v14 = Ror8(v14); v9 += v14; v4 ^= v9; v4 = Ror7(v4);

            v0 += v4 + m.M11; v12 ^= v0; v12 = Ror16(v12); v8 += v12; v4 ^= v8; v4 = Ror12(v4);
            v0 += v4 + m.M15; v12 ^= v0; v12 = Ror8(v12); v8 += v12; v4 ^= v8; v4 = Ror7(v4);
            v1 += v5 + m.M5; v13 ^= v1; v13 = Ror16(v13); v9 += v13; v5 ^= v9; v5 = Ror12(v5);
            v1 += v5 + m.M0; v13 ^= v1; v13 = Ror8(v13); v9 += v13; v5 ^= v9; v5 = Ror7(v5);
            v2 += v6 + m.M1; v14 ^= v2; v14 = Ror16(v14); v10 += v14; v6 ^= v10; v6 = Ror12(v6);
            v2 += v6 + m.M9; v14 ^= v2; v14 = Ror8(v14); v10 += v14; v6 ^= v10; v6 = Ror7(v6);
            v3 += v7 + m.M8; v15 ^= v3; v15 = Ror16(v15); v11 += v15; v7 ^= v11; v7 = Ror12(v7);
            v3 += v7 + m.M6; v15 ^= v3; v15 = Ror8(v15); v11 += v15; v7 ^= v11; v7 = Ror7(v7);
            v0 += v5 + m.M14; v15 ^= v0; v15 = Ror16(v15); v10 += v15; v5 ^= v10; v5 = Ror12(v5);
            v0 += v5 + m.M10; v15 ^= v0; v15 = Ror8(v15); v10 += v15; v5 ^= v10; v5 = Ror7(v5);
            v1 += v6 + m.M2; v12 ^= v1; v12 = Ror16(v12); v11 += v12; v6 ^= v11; v6 = Ror12(v6);
            v1 += v6 + m.M12; v12 ^= v1; v12 = Ror8(v12); v11 += v12; v6 ^= v11; v6 = Ror7(v6);
            v2 += v7 + m.M3; v13 ^= v2; v13 = Ror16(v13); v8 += v13; v7 ^= v8; v7 = Ror12(v7);
            v2 += v7 + m.M4; v13 ^= v2; v13 = Ror8(v13); v8 += v13; v7 ^= v8; v7 = Ror7(v7);
            v3 += v4 + m.M7; v14 ^= v3; v14 = Ror16(v14); v9 += v14; v4 ^= v9; v4 = Ror12(v4);
            v3 += v4 + m.M13; v14 ^= v3; v14 = Ror8(v14); v9 += v14; v4 ^= v9; v4 = Ror7(v4);
            // </rounds>

            h0 = v0 ^ v8; h1 = v1 ^ v9; h2 = v2 ^ v10; h3 = v3 ^ v11;
            h4 = v4 ^ v12; h5 = v5 ^ v13; h6 = v6 ^ v14; h7 = v7 ^ v15;
            blockFlags = flags;
        }

        uint* words = stackalloc uint[8 * Degree];
        h0.Store(words); h1.Store(words + 8); h2.Store(words + 16); h3.Store(words + 24);
        h4.Store(words + 32); h5.Store(words + 40); h6.Store(words + 48); h7.Store(words + 56);
        Blake3Tree.StoreCvs(words, Degree, output);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Ror16(V x) => Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 16)
        : Shuffle(x.AsByte(), Vector256.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13,
            2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Ror8(V x) => Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 8)
        : Shuffle(x.AsByte(), Vector256.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12,
            1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12)).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Ror12(V x) => Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 12) : (x >>> 12) | (x << 20);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Ror7(V x) => Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 7) : (x >>> 7) | (x << 25);

    /// <summary>
    /// Loads 8 words (half a block) of each of the 8 inputs, transposed: w_j holds word j of every input.
    /// Unpacks transpose the 4x4 tiles inside each 128-bit lane, then lane permutes pair the tiles up.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadHalf(byte* p, nint stride, out V w0, out V w1, out V w2, out V w3,
        out V w4, out V w5, out V w6, out V w7)
    {
        Tile(p, stride, out V a0, out V a1, out V a2, out V a3);
        Tile(p + 4 * stride, stride, out V b0, out V b1, out V b2, out V b3);
        w0 = Permute2x128(a0, b0, 0x20); w4 = Permute2x128(a0, b0, 0x31);
        w1 = Permute2x128(a1, b1, 0x20); w5 = Permute2x128(a1, b1, 0x31);
        w2 = Permute2x128(a2, b2, 0x20); w6 = Permute2x128(a2, b2, 0x31);
        w3 = Permute2x128(a3, b3, 0x20); w7 = Permute2x128(a3, b3, 0x31);
    }

    /// <summary>Rows r..r+3 in, out: u_j with 128-bit lane k = word 4k+j of those four rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile(byte* row, nint stride, out V u0, out V u1, out V u2, out V u3)
    {
        V r0 = Vector256.Load((uint*)row), r1 = Vector256.Load((uint*)(row + stride));
        V r2 = Vector256.Load((uint*)(row + 2 * stride)), r3 = Vector256.Load((uint*)(row + 3 * stride));
        V t0 = UnpackLow(r0, r1), t1 = UnpackHigh(r0, r1);
        V t2 = UnpackLow(r2, r3), t3 = UnpackHigh(r2, r3);
        u0 = UnpackLow(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();
        u1 = UnpackHigh(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();
        u2 = UnpackLow(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();
        u3 = UnpackHigh(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();
    }
}
