using System.Runtime.CompilerServices;

namespace Volt.Storage.Hashing;

/// <summary>
/// Lane-wise word operations. One implementation per vector width lets the seven rounds be written once:
/// the JIT specialises <see cref="Blake3Rounds"/> for each struct, so there is no indirection at run time.
/// </summary>
internal interface ILaneOps<TV> where TV : struct
{
    static abstract TV Add(TV a, TV b);
    static abstract TV Xor(TV a, TV b);
    static abstract TV Ror16(TV x);
    static abstract TV Ror12(TV x);
    static abstract TV Ror8(TV x);
    static abstract TV Ror7(TV x);
}

/// <summary>Sixteen message words (or sixteen transposed message vectors) of one block.</summary>
internal struct Msg16<TV> where TV : struct
{
    public TV M0, M1, M2, M3, M4, M5, M6, M7, M8, M9, M10, M11, M12, M13, M14, M15;
}

/// <summary>
/// The BLAKE3 round function over any lane width. State words are passed by ref so the JIT keeps them in
/// registers after inlining; the message permutation is applied by choosing which words each round reads,
/// a fixed schedule derived from the spec's permutation 2,6,3,10,7,0,4,13,1,11,12,5,9,14,15,8.
/// </summary>
internal static class Blake3Rounds
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G<T, TV>(ref TV a, ref TV b, ref TV c, ref TV d, TV mx, TV my)
        where T : struct, ILaneOps<TV> where TV : struct
    {
        a = T.Add(T.Add(a, b), mx);
        d = T.Ror16(T.Xor(d, a));
        c = T.Add(c, d);
        b = T.Ror12(T.Xor(b, c));
        a = T.Add(T.Add(a, b), my);
        d = T.Ror8(T.Xor(d, a));
        c = T.Add(c, d);
        b = T.Ror7(T.Xor(b, c));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round<T, TV>(
        ref TV v0, ref TV v1, ref TV v2, ref TV v3, ref TV v4, ref TV v5, ref TV v6, ref TV v7,
        ref TV v8, ref TV v9, ref TV v10, ref TV v11, ref TV v12, ref TV v13, ref TV v14, ref TV v15,
        TV m0, TV m1, TV m2, TV m3, TV m4, TV m5, TV m6, TV m7,
        TV m8, TV m9, TV m10, TV m11, TV m12, TV m13, TV m14, TV m15)
        where T : struct, ILaneOps<TV> where TV : struct
    {
        G<T, TV>(ref v0, ref v4, ref v8, ref v12, m0, m1);
        G<T, TV>(ref v1, ref v5, ref v9, ref v13, m2, m3);
        G<T, TV>(ref v2, ref v6, ref v10, ref v14, m4, m5);
        G<T, TV>(ref v3, ref v7, ref v11, ref v15, m6, m7);
        G<T, TV>(ref v0, ref v5, ref v10, ref v15, m8, m9);
        G<T, TV>(ref v1, ref v6, ref v11, ref v12, m10, m11);
        G<T, TV>(ref v2, ref v7, ref v8, ref v13, m12, m13);
        G<T, TV>(ref v3, ref v4, ref v9, ref v14, m14, m15);
    }

    /// <summary>Applies all seven rounds to the state <c>v0..v15</c> with message <paramref name="m"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Rounds<T, TV>(
        ref TV v0, ref TV v1, ref TV v2, ref TV v3, ref TV v4, ref TV v5, ref TV v6, ref TV v7,
        ref TV v8, ref TV v9, ref TV v10, ref TV v11, ref TV v12, ref TV v13, ref TV v14, ref TV v15,
        ref Msg16<TV> m)
        where T : struct, ILaneOps<TV> where TV : struct
    {
        Round<T, TV>(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7,
            ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15,
            m.M0, m.M1, m.M2, m.M3, m.M4, m.M5, m.M6, m.M7, m.M8, m.M9, m.M10, m.M11, m.M12, m.M13, m.M14, m.M15);
        Round<T, TV>(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7,
            ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15,
            m.M2, m.M6, m.M3, m.M10, m.M7, m.M0, m.M4, m.M13, m.M1, m.M11, m.M12, m.M5, m.M9, m.M14, m.M15, m.M8);
        Round<T, TV>(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7,
            ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15,
            m.M3, m.M4, m.M10, m.M12, m.M13, m.M2, m.M7, m.M14, m.M6, m.M5, m.M9, m.M0, m.M11, m.M15, m.M8, m.M1);
        Round<T, TV>(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7,
            ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15,
            m.M10, m.M7, m.M12, m.M9, m.M14, m.M3, m.M13, m.M15, m.M4, m.M0, m.M11, m.M2, m.M5, m.M8, m.M1, m.M6);
        Round<T, TV>(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7,
            ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15,
            m.M12, m.M13, m.M9, m.M11, m.M15, m.M10, m.M14, m.M8, m.M7, m.M2, m.M5, m.M3, m.M0, m.M1, m.M6, m.M4);
        Round<T, TV>(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7,
            ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15,
            m.M9, m.M14, m.M11, m.M5, m.M8, m.M12, m.M15, m.M1, m.M13, m.M3, m.M0, m.M10, m.M2, m.M6, m.M4, m.M7);
        Round<T, TV>(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7,
            ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15,
            m.M11, m.M15, m.M5, m.M0, m.M1, m.M9, m.M8, m.M6, m.M14, m.M10, m.M2, m.M12, m.M3, m.M4, m.M7, m.M13);
    }
}
