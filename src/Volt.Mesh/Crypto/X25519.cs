using System.Numerics;
using System.Security.Cryptography;

namespace Volt.Mesh.Crypto;

/// <summary>
/// X25519 (RFC 7748) for WireGuard keys: a private key is 32 random bytes (clamped), its public key the scalar
/// multiple of the base point. .NET has no X25519; this is the RFC's Montgomery ladder on <see cref="BigInteger"/>,
/// used only to make and show keys (a few per join), never on the data path, which wireguard does.
/// </summary>
public static class X25519
{
    private static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;
    private static readonly BigInteger A24 = 121665;

    /// <summary>A fresh clamped private key.</summary>
    public static byte[] NewPrivateKey()
    {
        var k = RandomNumberGenerator.GetBytes(32);
        Clamp(k);
        return k;
    }

    /// <summary>The public key of <paramref name="privateKey"/> (32 bytes).</summary>
    public static byte[] PublicKey(ReadOnlySpan<byte> privateKey)
    {
        Span<byte> nine = stackalloc byte[32];
        nine[0] = 9;
        return ScalarMult(privateKey, nine);
    }

    /// <summary>X25519(k, u) as RFC 7748 section 5 defines it.</summary>
    public static byte[] ScalarMult(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> u)
    {
        if (scalar.Length != 32 || u.Length != 32) throw new ArgumentException("X25519 takes 32-byte inputs");
        var k = scalar.ToArray();
        Clamp(k);
        var uu = u.ToArray();
        uu[31] &= 127;
        var x1 = new BigInteger(uu, isUnsigned: true, isBigEndian: false) % P;
        BigInteger x2 = 1, z2 = 0, x3 = x1, z3 = 1;
        var swap = 0;
        for (var t = 254; t >= 0; t--)
        {
            var kt = (k[t >> 3] >> (t & 7)) & 1;
            swap ^= kt;
            if (swap == 1) { (x2, x3) = (x3, x2); (z2, z3) = (z3, z2); }
            swap = kt;
            var a = Mod(x2 + z2); var aa = Mod(a * a);
            var b = Mod(x2 - z2); var bb = Mod(b * b);
            var e = Mod(aa - bb);
            var c = Mod(x3 + z3); var d = Mod(x3 - z3);
            var da = Mod(d * a); var cb = Mod(c * b);
            x3 = Mod((da + cb) * (da + cb));
            z3 = Mod(x1 * Mod((da - cb) * (da - cb)));
            x2 = Mod(aa * bb);
            z2 = Mod(e * (aa + A24 * e));
        }
        if (swap == 1) { (x2, x3) = (x3, x2); (z2, z3) = (z3, z2); }
        var r = Mod(x2 * BigInteger.ModPow(z2, P - 2, P));
        var outBytes = new byte[32];
        r.TryWriteBytes(outBytes, out _, isUnsigned: true, isBigEndian: false);
        return outBytes;
    }

    private static BigInteger Mod(BigInteger v)
    {
        var r = v % P;
        return r.Sign < 0 ? r + P : r;
    }

    private static void Clamp(byte[] k)
    {
        k[0] &= 248;
        k[31] &= 127;
        k[31] |= 64;
    }
}
