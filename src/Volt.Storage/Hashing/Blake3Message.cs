namespace Volt.Storage.Hashing;

/// <summary>
/// Sixteen message words of one block, or for the wide kernels sixteen transposed message vectors (vector w
/// holds word w of every lane's block).
/// </summary>
/// <remarks>
/// Every kernel writes the seven rounds out in full between <c>// &lt;rounds&gt;</c> markers, one G function
/// per two lines: G(a, b, c, d, mx, my) is a += b + mx; d = (d ^ a) ror 16; c += d; b = (b ^ c) ror 12;
/// a += b + my; d = (d ^ a) ror 8; c += d; b = (b ^ c) ror 7, on the columns (0,4,8,12) … (3,7,11,15) then
/// the diagonals (0,5,10,15), (1,6,11,12), (2,7,8,13), (3,4,9,14). Instead of permuting the message between
/// rounds (spec permutation 2,6,3,10,7,0,4,13,1,11,12,5,9,14,15,8) each round reads the words in permuted
/// order. Straight-line code matters: written with helper methods the JIT runs out of inlining budget and
/// tracked locals, and the state goes to memory (5x slower).
/// </remarks>
internal struct Msg16<TV> where TV : struct
{
    public TV M0, M1, M2, M3, M4, M5, M6, M7, M8, M9, M10, M11, M12, M13, M14, M15;
}
