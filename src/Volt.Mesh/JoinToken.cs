using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Volt.Core.Errors;

namespace Volt.Mesh;

/// <summary>
/// A join token: <c>vmt1.MESH.ID.EXPIRES.SECRET</c>. etcd keeps only SHA-256(SECRET) and the expiry under
/// <c>tokens/ID</c>; the token admits one host (the join's transaction deletes it). A token past its expiry is refused
/// before etcd is asked; a forged one (unknown ID, wrong secret) after one read: nothing is written either way.
/// </summary>
public sealed record JoinToken(string Mesh, string Id, DateTimeOffset Expires, string Secret)
{
    public override string ToString() =>
        $"vmt1.{Mesh}.{Id}.{Expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}.{Secret}";

    public string SecretHash => Hash(Secret);

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static JoinToken New(string mesh, DateTimeOffset expires) =>
        new(mesh, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()),
            Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_'));

    /// <summary>Parses a token; not one (wrong shape) is exit 2.</summary>
    public static JoinToken Parse(string text)
    {
        var p = text.Trim().Split('.');
        if (p.Length != 5 || p[0] != "vmt1" || p[2].Length != 16 || !p[2].All(char.IsAsciiHexDigitLower) || p[4].Length != 32
            || !long.TryParse(p[3], NumberStyles.None, CultureInfo.InvariantCulture, out var exp) || exp > 253402300799)
            throw VoltException.Usage("--token is not a Volt mesh join token (expected vmt1.MESH.ID.EXPIRES.SECRET from volt mesh token)");
        MeshLayout.ValidateName(p[1], "mesh name in --token");
        return new JoinToken(p[1], p[2], DateTimeOffset.FromUnixTimeSeconds(exp), p[4]);
    }

    /// <summary>Whether <paramref name="record"/> admits this token at <paramref name="now"/> (constant-time compare).</summary>
    public bool Matches(TokenRecord record, DateTimeOffset now) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(SecretHash), Encoding.ASCII.GetBytes(record.Sha256))
        && record.Expires > now && Expires == record.Expires;
}
