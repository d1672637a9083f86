using System.Text.Json.Serialization;

namespace Volt.Registry.Auth;

/// <summary>What a bearer token grants: <see cref="Pull"/>, or <see cref="Push"/> (which includes pull).</summary>
public static class Access
{
    public const string Pull = "pull";
    public const string Push = "push";

    public static bool Allows(string granted, string needed) => granted == Push || needed == Pull && granted == Pull;
}

/// <summary>
/// The signed claims of a registry token. On the wire a token is
/// <c>base64url(claims JSON) "." base64url(HMAC-SHA256(key, first part))</c>: opaque to clients, verifiable by
/// any process that can read the key file.
/// </summary>
public sealed record AccessToken(
    [property: JsonPropertyName("sub")] string Subject,
    [property: JsonPropertyName("access")] string Access,
    [property: JsonPropertyName("iat")] long IssuedAt,
    [property: JsonPropertyName("exp")] long ExpiresAt,
    [property: JsonPropertyName("jti")] string Id)
{
    [JsonIgnore] public DateTimeOffset Expires => DateTimeOffset.FromUnixTimeSeconds(ExpiresAt);
    [JsonIgnore] public bool IsAnonymous => Subject == TokenService.AnonymousSubject;
}
