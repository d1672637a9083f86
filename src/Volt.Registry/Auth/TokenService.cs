using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Volt.Core.Errors;
using Volt.Registry.Json;

namespace Volt.Registry.Auth;

/// <summary>
/// Issues and verifies HMAC-SHA256 bearer tokens. The 256-bit key is created on first use, mode 0600:
/// <code>
/// etc/volt/registry/token.key   64 hex characters; delete it to revoke every token issued so far
/// </code>
/// </summary>
public sealed class TokenService
{
    public const string AnonymousSubject = "anonymous";
    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public TokenService(string keyPath, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _key = LoadOrCreateKey(keyPath);
    }

    public static string KeyPath(Volt.Core.Paths.VoltPaths paths) => Path.Combine(paths.Etc, "registry", "token.key");

    /// <summary>A signed token for <paramref name="access"/> that expires after <paramref name="lifetime"/>.</summary>
    /// <paramref name="repositories"/>: the repositories it covers (names and <c>NAME/*</c>); null for all.
    public (string Token, AccessToken Claims) Issue(string subject, string access, TimeSpan lifetime, IReadOnlyList<string>? repositories = null)
    {
        if (access is not (Access.Pull or Access.Push)) throw VoltException.Usage($"unknown access \"{access}\": expected pull or push");
        if (lifetime <= TimeSpan.Zero) throw VoltException.Usage("token expiry must be positive");
        var now = _time.GetUtcNow();
        if (lifetime > DateTimeOffset.MaxValue - now - TimeSpan.FromDays(1)) throw VoltException.Usage("token expiry is too far in the future");
        foreach (var r in repositories ?? []) RepositoryScope.ValidatePattern(r);
        var claims = new AccessToken(subject, access, now.ToUnixTimeSeconds(), (now + lifetime).ToUnixTimeSeconds(),
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), repositories);
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims, RegistryJson.Default.AccessToken));
        return ($"{payload}.{Base64Url(Sign(payload))}", claims);
    }

    /// <summary>The claims of a valid, unexpired token; null (with the reason) otherwise.</summary>
    public AccessToken? Validate(string token, out string reason)
    {
        reason = "malformed token";
        var dot = token.IndexOf('.');
        if (dot <= 0 || dot == token.Length - 1 || token.Length > 4096) return null;
        var payload = token[..dot];
        if (!TryDecode(token[(dot + 1)..], out var signature) || !CryptographicOperations.FixedTimeEquals(signature, Sign(payload)))
        {
            reason = "invalid token signature";
            return null;
        }
        AccessToken? claims;
        try { claims = TryDecode(payload, out var json) ? JsonSerializer.Deserialize(json, RegistryJson.Default.AccessToken) : null; }
        catch (JsonException) { claims = null; }
        if (claims is null) return null;
        if (claims.Expires <= _time.GetUtcNow())
        {
            reason = "token expired";
            return null;
        }
        return claims;
    }

    private byte[] Sign(string payload) => HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(payload));

    private static byte[] LoadOrCreateKey(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var hex = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
                try
                {
                    using var fs = new FileStream(path, new FileStreamOptions
                    {
                        Mode = FileMode.CreateNew, Access = FileAccess.Write,
                        UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                    });
                    fs.Write(Encoding.ASCII.GetBytes(hex + "\n"));
                    fs.Flush(flushToDisk: true);
                }
                catch (IOException) when (File.Exists(path)) { } // another process created it first
            }
            var text = File.ReadAllText(path).Trim();
            if (text.Length != 64) throw new VoltException(ExitCode.InvalidConfig, $"registry token key \"{path}\" is corrupt: expected 64 hex characters");
            return Convert.FromHexString(text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            throw VoltException.From($"Failed reading the registry token key \"{path}\"", e);
        }
    }

    private static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryDecode(string text, out byte[] data)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        s = s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
        data = [];
        try { data = Convert.FromBase64String(s); return true; }
        catch (FormatException) { return false; }
    }
}
