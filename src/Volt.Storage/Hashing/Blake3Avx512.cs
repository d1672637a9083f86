using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static System.Runtime.Intrinsics.X86.Avx512F;
using static Volt.Storage.Hashing.Blake3Constants;
using V = System.Runtime.Intrinsics.Vector512<uint>;

namespace Volt.Storage.Hashing;

/// <summary>
/// Hashes 16 inputs at once, one per lane of <c>Vector512&lt;uint&gt;</c>: state word i of every input sits
/// in vector i, so each G step is one instruction for all 16. Needs AVX-512F.
/// </summary>
[SkipLocalsInit]
internal static unsafe class Blake3Avx512
{
    public const int Degree = 16;

    /// <summary>
    /// How far ahead of the current block each lane prefetches. The 16 lanes read 16 streams 1 KiB apart,
    /// more than the hardware prefetcher follows well.
    /// </summary>
    private const int PrefetchAhead = 128;

    /// <summary>Like <see cref="Blake3Portable.HashMany"/> for exactly 16 inputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HashMany16(byte* input, nint stride, int blocks, uint* key, ulong counter,
        bool incrementCounter, byte flags, byte flagsStart, byte flagsEnd, byte* output)
    {
        uint* counters = stackalloc uint[2 * Degree];
        Blake3Tree.LaneCounters(counter, incrementCounter, Degree, counters);
        V counterLo = Vector512.Load(counters), counterHi = Vector512.Load(counters + Degree);

        V h0 = Vector512.Create(key[0]), h1 = Vector512.Create(key[1]), h2 = Vector512.Create(key[2]), h3 = Vector512.Create(key[3]);
        V h4 = Vector512.Create(key[4]), h5 = Vector512.Create(key[5]), h6 = Vector512.Create(key[6]), h7 = Vector512.Create(key[7]);
        Unsafe.SkipInit(out Msg16<V> m);
        uint blockFlags = (uint)(flags | flagsStart);
        for (int b = 0; b < blocks; b++)
        {
            if (b == blocks - 1)
                blockFlags |= flagsEnd;
            LoadTransposed(input + b * BlockLen, stride, ref m);
            V v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
            V v8 = Vector512.Create(IV0), v9 = Vector512.Create(IV1);
            V v10 = Vector512.Create(IV2), v11 = Vector512.Create(IV3);
            V v12 = counterLo, v13 = counterHi;
            V v14 = Vector512.Create((uint)BlockLen), v15 = Vector512.Create(blockFlags);

            // <rounds v512>
            v0 += v4 + m.M0; v12 ^= v0; v12 = RotateRight(v12, 16); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 12);
            v0 += v4 + m.M1; v12 ^= v0; v12 = RotateRight(v12, 8); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 7);
            v1 += v5 + m.M2; v13 ^= v1; v13 = RotateRight(v13, 16); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 12);
            v1 += v5 + m.M3; v13 ^= v1; v13 = RotateRight(v13, 8); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 7);
            v2 += v6 + m.M4; v14 ^= v2; v14 = RotateRight(v14, 16); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 12);
            v2 += v6 + m.M5; v14 ^= v2; v14 = RotateRight(v14, 8); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 7);
            v3 += v7 + m.M6; v15 ^= v3; v15 = RotateRight(v15, 16); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 12);
            v3 += v7 + m.M7; v15 ^= v3; v15 = RotateRight(v15, 8); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 7);
            v0 += v5 + m.M8; v15 ^= v0; v15 = RotateRight(v15, 16); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 12);
            v0 += v5 + m.M9; v15 ^= v0; v15 = RotateRight(v15, 8); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 7);
            v1 += v6 + m.M10; v12 ^= v1; v12 = RotateRight(v12, 16); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 12);
            v1 += v6 + m.M11; v12 ^= v1; v12 = RotateRight(v12, 8); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 7);
            v2 += v7 + m.M12; v13 ^= v2; v13 = RotateRight(v13, 16); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 12);
            v2 += v7 + m.M13; v13 ^= v2; v13 = RotateRight(v13, 8); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 7);
            v3 += v4 + m.M14; v14 ^= v3; v14 = RotateRight(v14, 16); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 12);
            v3 += v4 + m.M15; v14 ^= v3; v14 = RotateRight(v14, 8); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 7);

            v0 += v4 + m.M2; v12 ^= v0; v12 = RotateRight(v12, 16); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 12);
            v0 += v4 + m.M6; v12 ^= v0; v12 = RotateRight(v12, 8); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 7);
            v1 += v5 + m.M3; v13 ^= v1; v13 = RotateRight(v13, 16); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 12);
            v1 += v5 + m.M10; v13 ^= v1; v13 = RotateRight(v13, 8); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 7);
            v2 += v6 + m.M7; v14 ^= v2; v14 = RotateRight(v14, 16); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 12);
            v2 += v6 + m.M0; v14 ^= v2; v14 = RotateRight(v14, 8); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 7);
            v3 += v7 + m.M4; v15 ^= v3; v15 = RotateRight(v15, 16); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 12);
            v3 += v7 + m.M13; v15 ^= v3; v15 = RotateRight(v15, 8); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 7);
            v0 += v5 + m.M1; v15 ^= v0; v15 = RotateRight(v15, 16); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 12);
            v0 += v5 + m.M11; v15 ^= v0; v15 = RotateRight(v15, 8); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 7);
            v1 += v6 + m.M12; v12 ^= v1; v12 = RotateRight(v12, 16); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 12);
            v1 += v6 + m.M5; v12 ^= v1; v12 = RotateRight(v12, 8); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 7);
            v2 += v7 + m.M9; v13 ^= v2; v13 = RotateRight(v13, 16); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 12);
            v2 += v7 + m.M14; v13 ^= v2; v13 = RotateRight(v13, 8); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 7);
            v3 += v4 + m.M15; v14 ^= v3; v14 = RotateRight(v14, 16); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 12);
            v3 += v4 + m.M8; v14 ^= v3; v14 = RotateRight(v14, 8); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 7);

            v0 += v4 + m.M3; v12 ^= v0; v12 = RotateRight(v12, 16); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 12);
            v0 += v4 + m.M4; v12 ^= v0; v12 = RotateRight(v12, 8); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 7);
            v1 += v5 + m.M10; v13 ^= v1; v13 = RotateRight(v13, 16); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 12);
            v1 += v5 + m.M12; v13 ^= v1; v13 = RotateRight(v13, 8); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 7);
            v2 += v6 + m.M13; v14 ^= v2; v14 = RotateRight(v14, 16); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 12);
            v2 += v6 + m.M2; v14 ^= v2; v14 = RotateRight(v14, 8); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 7);
            v3 += v7 + m.M7; v15 ^= v3; v15 = RotateRight(v15, 16); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 12);
            v3 += v7 + m.M14; v15 ^= v3; v15 = RotateRight(v15, 8); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 7);
            v0 += v5 + m.M6; v15 ^= v0; v15 = RotateRight(v15, 16); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 12);
            v0 += v5 + m.M5; v15 ^= v0; v15 = RotateRight(v15, 8); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 7);
            v1 += v6 + m.M9; v12 ^= v1; v12 = RotateRight(v12, 16); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 12);
            v1 += v6 + m.M0; v12 ^= v1; v12 = RotateRight(v12, 8); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 7);
            v2 += v7 + m.M11; v13 ^= v2; v13 = RotateRight(v13, 16); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 12);
            v2 += v7 + m.M15; v13 ^= v2; v13 = RotateRight(v13, 8); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 7);
            v3 += v4 + m.M8; v14 ^= v3; v14 = RotateRight(v14, 16); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 12);
            v3 += v4 + m.M1; v14 ^= v3; v14 = RotateRight(v14, 8); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 7);

            v0 += v4 + m.M10; v12 ^= v0; v12 = RotateRight(v12, 16); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 12);
            v0 += v4 + m.M7; v12 ^= v0; v12 = RotateRight(v12, 8); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 7);
            v1 += v5 + m.M12; v13 ^= v1; v13 = RotateRight(v13, 16); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 12);
            v1 += v5 + m.M9; v13 ^= v1; v13 = RotateRight(v13, 8); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 7);
            v2 += v6 + m.M14; v14 ^= v2; v14 = RotateRight(v14, 16); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 12);
            v2 += v6 + m.M3; v14 ^= v2; v14 = RotateRight(v14, 8); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 7);
            v3 += v7 + m.M13; v15 ^= v3; v15 = RotateRight(v15, 16); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 12);
            v3 += v7 + m.M15; v15 ^= v3; v15 = RotateRight(v15, 8); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 7);
            v0 += v5 + m.M4; v15 ^= v0; v15 = RotateRight(v15, 16); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 12);
            v0 += v5 + m.M0; v15 ^= v0; v15 = RotateRight(v15, 8); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 7);
            v1 += v6 + m.M11; v12 ^= v1; v12 = RotateRight(v12, 16); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 12);
            v1 += v6 + m.M2; v12 ^= v1; v12 = RotateRight(v12, 8); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 7);
            v2 += v7 + m.M5; v13 ^= v2; v13 = RotateRight(v13, 16); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 12);
            v2 += v7 + m.M8; v13 ^= v2; v13 = RotateRight(v13, 8); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 7);
            v3 += v4 + m.M1; v14 ^= v3; v14 = RotateRight(v14, 16); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 12);
            v3 += v4 + m.M6; v14 ^= v3; v14 = RotateRight(v14, 8); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 7);

            v0 += v4 + m.M12; v12 ^= v0; v12 = RotateRight(v12, 16); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 12);
            v0 += v4 + m.M13; v12 ^= v0; v12 = RotateRight(v12, 8); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 7);
            v1 += v5 + m.M9; v13 ^= v1; v13 = RotateRight(v13, 16); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 12);
            v1 += v5 + m.M11; v13 ^= v1; v13 = RotateRight(v13, 8); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 7);
            v2 += v6 + m.M15; v14 ^= v2; v14 = RotateRight(v14, 16); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 12);
            v2 += v6 + m.M10; v14 ^= v2; v14 = RotateRight(v14, 8); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 7);
            v3 += v7 + m.M14; v15 ^= v3; v15 = RotateRight(v15, 16); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 12);
            v3 += v7 + m.M8; v15 ^= v3; v15 = RotateRight(v15, 8); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 7);
            v0 += v5 + m.M7; v15 ^= v0; v15 = RotateRight(v15, 16); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 12);
            v0 += v5 + m.M2; v15 ^= v0; v15 = RotateRight(v15, 8); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 7);
            v1 += v6 + m.M5; v12 ^= v1; v12 = RotateRight(v12, 16); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 12);
            v1 += v6 + m.M3; v12 ^= v1; v12 = RotateRight(v12, 8); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 7);
            v2 += v7 + m.M0; v13 ^= v2; v13 = RotateRight(v13, 16); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 12);
            v2 += v7 + m.M1; v13 ^= v2; v13 = RotateRight(v13, 8); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 7);
            v3 += v4 + m.M6; v14 ^= v3; v14 = RotateRight(v14, 16); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 12);
            v3 += v4 + m.M4; v14 ^= v3; v14 = RotateRight(v14, 8); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 7);

            v0 += v4 + m.M9; v12 ^= v0; v12 = RotateRight(v12, 16); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 12);
            v0 += v4 + m.M14; v12 ^= v0; v12 = RotateRight(v12, 8); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 7);
            v1 += v5 + m.M11; v13 ^= v1; v13 = RotateRight(v13, 16); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 12);
            v1 += v5 + m.M5; v13 ^= v1; v13 = RotateRight(v13, 8); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 7);
            v2 += v6 + m.M8; v14 ^= v2; v14 = RotateRight(v14, 16); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 12);
            v2 += v6 + m.M12; v14 ^= v2; v14 = RotateRight(v14, 8); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 7);
            v3 += v7 + m.M15; v15 ^= v3; v15 = RotateRight(v15, 16); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 12);
            v3 += v7 + m.M1; v15 ^= v3; v15 = RotateRight(v15, 8); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 7);
            v0 += v5 + m.M13; v15 ^= v0; v15 = RotateRight(v15, 16); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 12);
            v0 += v5 + m.M3; v15 ^= v0; v15 = RotateRight(v15, 8); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 7);
            v1 += v6 + m.M0; v12 ^= v1; v12 = RotateRight(v12, 16); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 12);
            v1 += v6 + m.M10; v12 ^= v1; v12 = RotateRight(v12, 8); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 7);
            v2 += v7 + m.M2; v13 ^= v2; v13 = RotateRight(v13, 16); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 12);
            v2 += v7 + m.M6; v13 ^= v2; v13 = RotateRight(v13, 8); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 7);
            v3 += v4 + m.M4; v14 ^= v3; v14 = RotateRight(v14, 16); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 12);
            v3 += v4 + m.M7; v14 ^= v3; v14 = RotateRight(v14, 8); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 7);

            v0 += v4 + m.M11; v12 ^= v0; v12 = RotateRight(v12, 16); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 12);
            v0 += v4 + m.M15; v12 ^= v0; v12 = RotateRight(v12, 8); v8 += v12; v4 ^= v8; v4 = RotateRight(v4, 7);
            v1 += v5 + m.M5; v13 ^= v1; v13 = RotateRight(v13, 16); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 12);
            v1 += v5 + m.M0; v13 ^= v1; v13 = RotateRight(v13, 8); v9 += v13; v5 ^= v9; v5 = RotateRight(v5, 7);
            v2 += v6 + m.M1; v14 ^= v2; v14 = RotateRight(v14, 16); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 12);
            v2 += v6 + m.M9; v14 ^= v2; v14 = RotateRight(v14, 8); v10 += v14; v6 ^= v10; v6 = RotateRight(v6, 7);
            v3 += v7 + m.M8; v15 ^= v3; v15 = RotateRight(v15, 16); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 12);
            v3 += v7 + m.M6; v15 ^= v3; v15 = RotateRight(v15, 8); v11 += v15; v7 ^= v11; v7 = RotateRight(v7, 7);
            v0 += v5 + m.M14; v15 ^= v0; v15 = RotateRight(v15, 16); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 12);
            v0 += v5 + m.M10; v15 ^= v0; v15 = RotateRight(v15, 8); v10 += v15; v5 ^= v10; v5 = RotateRight(v5, 7);
            v1 += v6 + m.M2; v12 ^= v1; v12 = RotateRight(v12, 16); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 12);
            v1 += v6 + m.M12; v12 ^= v1; v12 = RotateRight(v12, 8); v11 += v12; v6 ^= v11; v6 = RotateRight(v6, 7);
            v2 += v7 + m.M3; v13 ^= v2; v13 = RotateRight(v13, 16); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 12);
            v2 += v7 + m.M4; v13 ^= v2; v13 = RotateRight(v13, 8); v8 += v13; v7 ^= v8; v7 = RotateRight(v7, 7);
            v3 += v4 + m.M7; v14 ^= v3; v14 = RotateRight(v14, 16); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 12);
            v3 += v4 + m.M13; v14 ^= v3; v14 = RotateRight(v14, 8); v9 += v14; v4 ^= v9; v4 = RotateRight(v4, 7);
            // </rounds>

            h0 = v0 ^ v8; h1 = v1 ^ v9; h2 = v2 ^ v10; h3 = v3 ^ v11;
            h4 = v4 ^ v12; h5 = v5 ^ v13; h6 = v6 ^ v14; h7 = v7 ^ v15;
            blockFlags = flags;
        }

        uint* words = stackalloc uint[8 * Degree];
        h0.Store(words); h1.Store(words + 16); h2.Store(words + 32); h3.Store(words + 48);
        h4.Store(words + 64); h5.Store(words + 80); h6.Store(words + 96); h7.Store(words + 112);
        Blake3Tree.StoreCvs(words, Degree, output);
    }

    /// <summary>
    /// Loads one block of each of the 16 inputs and transposes the 16x16 words so that message vector w holds
    /// word w of every input: 32-bit and 64-bit unpacks transpose 4x4 tiles inside each 128-bit lane, then
    /// two rounds of 128-bit lane shuffles move the tiles into place.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadTransposed(byte* block, nint stride, ref Msg16<V> m)
    {
        Tile(block, stride, out V a0, out V a1, out V a2, out V a3);
        Tile(block + 4 * stride, stride, out V b0, out V b1, out V b2, out V b3);
        Tile(block + 8 * stride, stride, out V c0, out V c1, out V c2, out V c3);
        Tile(block + 12 * stride, stride, out V d0, out V d1, out V d2, out V d3);
        Lanes(a0, b0, c0, d0, out m.M0, out m.M4, out m.M8, out m.M12);
        Lanes(a1, b1, c1, d1, out m.M1, out m.M5, out m.M9, out m.M13);
        Lanes(a2, b2, c2, d2, out m.M2, out m.M6, out m.M10, out m.M14);
        Lanes(a3, b3, c3, d3, out m.M3, out m.M7, out m.M11, out m.M15);
    }

    /// <summary>Rows r..r+3 in, out: u_j with 128-bit lane k = word 4k+j of those four rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile(byte* row, nint stride, out V u0, out V u1, out V u2, out V u3)
    {
        V r0 = Vector512.Load((uint*)row), r1 = Vector512.Load((uint*)(row + stride));
        V r2 = Vector512.Load((uint*)(row + 2 * stride)), r3 = Vector512.Load((uint*)(row + 3 * stride));
        Sse.Prefetch0(row + PrefetchAhead);
        Sse.Prefetch0(row + stride + PrefetchAhead);
        Sse.Prefetch0(row + 2 * stride + PrefetchAhead);
        Sse.Prefetch0(row + 3 * stride + PrefetchAhead);
        V t0 = UnpackLow(r0, r1), t1 = UnpackHigh(r0, r1);
        V t2 = UnpackLow(r2, r3), t3 = UnpackHigh(r2, r3);
        u0 = UnpackLow(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();
        u1 = UnpackHigh(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();
        u2 = UnpackLow(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();
        u3 = UnpackHigh(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();
    }

    /// <summary>Gathers 128-bit lane k of a, b, c, d (rows 0-3, 4-7, 8-11, 12-15) into output k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Lanes(V a, V b, V c, V d, out V k0, out V k1, out V k2, out V k3)
    {
        const byte Even = 0b10_00_10_00, Odd = 0b11_01_11_01;
        V ab02 = Shuffle4x128(a, b, Even), ab13 = Shuffle4x128(a, b, Odd);
        V cd02 = Shuffle4x128(c, d, Even), cd13 = Shuffle4x128(c, d, Odd);
        k0 = Shuffle4x128(ab02, cd02, Even);
        k2 = Shuffle4x128(ab02, cd02, Odd);
        k1 = Shuffle4x128(ab13, cd13, Even);
        k3 = Shuffle4x128(ab13, cd13, Odd);
    }
}
