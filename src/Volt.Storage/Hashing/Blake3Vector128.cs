using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using static Volt.Storage.Hashing.Blake3Constants;
using V = System.Runtime.Intrinsics.Vector128<uint>;

namespace Volt.Storage.Hashing;

/// <summary>
/// Hashes 4 inputs at once, one per lane of <c>Vector128&lt;uint&gt;</c> (see <see cref="Blake3Avx512"/>).
/// Rotations are AVX-512VL rotates, or SSSE3 byte shuffles (16, 8), or shift, shift, or. Transposes use SSE2
/// unpacks or their Arm64 equivalents (zips).
/// </summary>
[SkipLocalsInit]
internal static unsafe class Blake3Vector128
{
    public const int Degree = 4;

    /// <summary>How far ahead each lane prefetches (see <see cref="Blake3Avx512"/>).</summary>
    private const int PrefetchAhead = 128;

    public static bool IsSupported => Sse2.IsSupported || AdvSimd.Arm64.IsSupported;

    /// <summary>Like <see cref="Blake3Portable.HashMany"/> for exactly 4 inputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HashMany4(byte* input, nint stride, int blocks, uint* key, ulong counter,
        bool incrementCounter, byte flags, byte flagsStart, byte flagsEnd, byte* output)
    {
        uint* counters = stackalloc uint[2 * Degree];
        Blake3Tree.LaneCounters(counter, incrementCounter, Degree, counters);
        V counterLo = Vector128.Load(counters), counterHi = Vector128.Load(counters + Degree);

        V h0 = Vector128.Create(key[0]), h1 = Vector128.Create(key[1]);
        V h2 = Vector128.Create(key[2]), h3 = Vector128.Create(key[3]);
        V h4 = Vector128.Create(key[4]), h5 = Vector128.Create(key[5]);
        V h6 = Vector128.Create(key[6]), h7 = Vector128.Create(key[7]);
        Unsafe.SkipInit(out Msg16<V> m);
        uint blockFlags = (uint)(flags | flagsStart);
        for (int b = 0; b < blocks; b++)
        {
            if (b == blocks - 1)
                blockFlags |= flagsEnd;
            byte* block = input + b * BlockLen;
            if (Sse.IsSupported)
            {
                for (int lane = 0; lane < Degree; lane++)
                    Sse.Prefetch0(block + lane * stride + PrefetchAhead);
            }
            Tile(block, stride, out m.M0, out m.M1, out m.M2, out m.M3);
            Tile(block + 16, stride, out m.M4, out m.M5, out m.M6, out m.M7);
            Tile(block + 32, stride, out m.M8, out m.M9, out m.M10, out m.M11);
            Tile(block + 48, stride, out m.M12, out m.M13, out m.M14, out m.M15);
            V v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
            V v8 = Vector128.Create(IV0), v9 = Vector128.Create(IV1);
            V v10 = Vector128.Create(IV2), v11 = Vector128.Create(IV3);
            V v12 = counterLo, v13 = counterHi;
            V v14 = Vector128.Create((uint)BlockLen), v15 = Vector128.Create(blockFlags);

            // <rounds v128>
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
        h0.Store(words); h1.Store(words + 4); h2.Store(words + 8); h3.Store(words + 12);
        h4.Store(words + 16); h5.Store(words + 20); h6.Store(words + 24); h7.Store(words + 28);
        Blake3Tree.StoreCvs(words, Degree, output);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static V Ror16(V x) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 16)
        : Ssse3.IsSupported
            ? Ssse3.Shuffle(x.AsByte(), Vector128.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)).AsUInt32()
        : (x >>> 16) | (x << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static V Ror8(V x) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 8)
        : Ssse3.IsSupported
            ? Ssse3.Shuffle(x.AsByte(), Vector128.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12)).AsUInt32()
        : (x >>> 8) | (x << 24);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static V Ror12(V x) => Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 12) : (x >>> 12) | (x << 20);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static V Ror7(V x) => Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 7) : (x >>> 7) | (x << 25);

    /// <summary>Four words of each of four rows in, out: u_j = word j of every row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile(byte* row, nint stride, out V u0, out V u1, out V u2, out V u3)
    {
        V r0 = Vector128.Load((uint*)row), r1 = Vector128.Load((uint*)(row + stride));
        V r2 = Vector128.Load((uint*)(row + 2 * stride)), r3 = Vector128.Load((uint*)(row + 3 * stride));
        V t0 = Low32(r0, r1), t1 = High32(r0, r1), t2 = Low32(r2, r3), t3 = High32(r2, r3);
        u0 = Low64(t0, t2);
        u1 = High64(t0, t2);
        u2 = Low64(t1, t3);
        u3 = High64(t1, t3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Low32(V a, V b) => Sse2.IsSupported ? Sse2.UnpackLow(a, b) : AdvSimd.Arm64.ZipLow(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V High32(V a, V b) => Sse2.IsSupported ? Sse2.UnpackHigh(a, b) : AdvSimd.Arm64.ZipHigh(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Low64(V a, V b) => Sse2.IsSupported
        ? Sse2.UnpackLow(a.AsUInt64(), b.AsUInt64()).AsUInt32()
        : AdvSimd.Arm64.ZipLow(a.AsUInt64(), b.AsUInt64()).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V High64(V a, V b) => Sse2.IsSupported
        ? Sse2.UnpackHigh(a.AsUInt64(), b.AsUInt64()).AsUInt32()
        : AdvSimd.Arm64.ZipHigh(a.AsUInt64(), b.AsUInt64()).AsUInt32();
}
