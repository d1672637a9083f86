namespace Volt.Mesh.Crypto;

/// <summary>A WireGuard key: 32 bytes, shown base64 (as <c>wg</c> does), hex on the UAPI socket.</summary>
public static class WgKey
{
    /// <summary>Parses a base64 key; false for anything that is not exactly 32 bytes of base64.</summary>
    public static bool TryParse(string? text, out byte[] key)
    {
        key = [];
        if (text is null || text.Length != 44 || !text.EndsWith('=')) return false;
        var buf = new byte[33];
        if (!Convert.TryFromBase64String(text, buf, out var n) || n != 32) return false;
        key = buf[..32];
        return true;
    }

    public static bool IsValid(string? text) => TryParse(text, out _);

    public static string ToBase64(ReadOnlySpan<byte> key) => Convert.ToBase64String(key);

    public static string ToHex(ReadOnlySpan<byte> key) => Convert.ToHexStringLower(key);

    /// <summary>Hex (UAPI) to base64; null when it is not a 32-byte hex key.</summary>
    public static string? FromHex(string hex)
    {
        if (hex.Length != 64) return null;
        try { return Convert.ToBase64String(Convert.FromHexString(hex)); }
        catch (FormatException) { return null; }
    }
}
