using System.Security.Cryptography;
using System.Text;

namespace Volt.GitOps.Webhooks;

/// <summary>
/// Webhook authentication exactly as the providers send it; every comparison is constant-time.
/// <list type="bullet">
/// <item>GitHub: <c>X-Hub-Signature-256: sha256=&lt;hex HMAC-SHA256(secret, body)&gt;</c></item>
/// <item>Bitbucket Cloud: <c>X-Hub-Signature: sha256=&lt;hex&gt;</c> (same value, header without -256)</item>
/// <item>GitLab classic: <c>X-Gitlab-Token</c> is the secret itself</item>
/// <item>GitLab signed (Standard Webhooks): <c>webhook-id</c>, <c>webhook-timestamp</c>,
/// <c>webhook-signature: v1,&lt;base64 HMAC-SHA256(secret, "{id}.{timestamp}.{body}")&gt;</c> (space-separated list),
/// timestamp within <see cref="ReplayWindow"/></item>
/// </list>
/// </summary>
public static class Signatures
{
    public static readonly TimeSpan ReplayWindow = TimeSpan.FromMinutes(5);

    /// <summary><c>sha256=&lt;lowercase hex&gt;</c> over the raw body, as GitHub and Bitbucket send it.</summary>
    public static string HubSignature(string secret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>Checks a <c>sha256=&lt;hex&gt;</c> header value (GitHub X-Hub-Signature-256, Bitbucket X-Hub-Signature).</summary>
    public static bool VerifyHub(string secret, ReadOnlySpan<byte> body, string? header)
    {
        if (header is null || !header.StartsWith("sha256=", StringComparison.Ordinal)) return false;
        byte[] given;
        try { given = Convert.FromHexString(header.AsSpan(7)); }
        catch (FormatException) { return false; }
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>GitLab's classic token: the header must equal the secret (constant time).</summary>
    public static bool VerifyGitLabToken(string secret, string? header) =>
        header is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(header));

    /// <summary>The Standard-Webhooks signature GitLab's signed webhooks send (<c>v1,&lt;base64&gt;</c>).</summary>
    public static string StandardSignature(string secret, string id, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var msg = new byte[prefix.Length + body.Length];
        prefix.CopyTo(msg, 0);
        body.CopyTo(msg.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(SecretKey(secret), msg));
    }

    /// <summary>
    /// Verifies a Standard-Webhooks signature: any <c>v1,</c> entry of the space-separated list matches and the
    /// timestamp (unix seconds) is within <see cref="ReplayWindow"/> of <paramref name="now"/>.
    /// </summary>
    public static bool VerifyStandard(string secret, string? id, string? timestamp, string? signatures, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatures)) return false;
        if (!long.TryParse(timestamp, out var unix)) return false;
        var sent = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(unix, 0, 253402300799));
        if ((now - sent).Duration() > ReplayWindow) return false;
        var expected = Encoding.ASCII.GetBytes(StandardSignature(secret, id, timestamp, body));
        var ok = false;
        foreach (var s in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            ok |= CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(s));
        return ok;
    }

    /// <summary>Standard Webhooks secrets are <c>whsec_&lt;base64&gt;</c>; any other secret is used as its UTF-8 bytes.</summary>
    private static byte[] SecretKey(string secret)
    {
        if (secret.StartsWith("whsec_", StringComparison.Ordinal))
        {
            try { return Convert.FromBase64String(secret[6..]); }
            catch (FormatException) { }
        }
        return Encoding.UTF8.GetBytes(secret);
    }
}
