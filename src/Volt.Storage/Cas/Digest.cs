using System.Diagnostics.CodeAnalysis;
using Volt.Core.Errors;

namespace Volt.Storage.Cas;

/// <summary>The hash algorithms the store addresses objects by.</summary>
public enum HashAlgo { Blake3, Sha256, Sha512 }

/// <summary>
/// A content address: <c>algorithm:lowercase-hex</c> (<c>blake3:…</c>, <c>sha256:…</c>, <c>sha512:…</c>), the OCI
/// digest grammar restricted to the algorithms we store.
/// </summary>
public readonly record struct Digest(HashAlgo Algorithm, string Hex)
{
    public override string ToString() => $"{AlgoName(Algorithm)}:{Hex}";

    public static string AlgoName(HashAlgo a) => a switch
    {
        HashAlgo.Blake3 => "blake3",
        HashAlgo.Sha256 => "sha256",
        HashAlgo.Sha512 => "sha512",
        _ => throw new ArgumentOutOfRangeException(nameof(a)),
    };

    public static int HexLength(HashAlgo a) => a == HashAlgo.Sha512 ? 128 : 64;

    public static bool TryParseAlgo(ReadOnlySpan<char> s, out HashAlgo algo)
    {
        algo = HashAlgo.Blake3;
        if (s.SequenceEqual("blake3")) return true;
        if (s.SequenceEqual("sha256")) { algo = HashAlgo.Sha256; return true; }
        if (s.SequenceEqual("sha512")) { algo = HashAlgo.Sha512; return true; }
        return false;
    }

    /// <summary>Parses <c>alg:hex</c>; a bare 64-hex string is taken as BLAKE3 (the store's native hash).</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out Digest? digest)
    {
        digest = null;
        if (string.IsNullOrEmpty(text)) return false;
        var colon = text.IndexOf(':');
        HashAlgo algo;
        string hex;
        if (colon < 0) { algo = HashAlgo.Blake3; hex = text; }
        else
        {
            if (!TryParseAlgo(text.AsSpan(0, colon), out algo)) return false;
            hex = text[(colon + 1)..];
        }
        if (hex.Length != HexLength(algo) || !IsLowerHex(hex)) return false;
        digest = new Digest(algo, hex);
        return true;
    }

    public static Digest Parse(string text) =>
        TryParse(text, out var d) ? d.Value
        : throw VoltException.Usage($"invalid digest \"{text}\": expected blake3:<64 hex>, sha256:<64 hex> or sha512:<128 hex>");

    public static bool IsLowerHex(ReadOnlySpan<char> s)
    {
        foreach (var c in s) if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c)) return false;
        return true;
    }

    public static Digest FromHash(HashAlgo algo, ReadOnlySpan<byte> hash) => new(algo, Convert.ToHexStringLower(hash));
}
