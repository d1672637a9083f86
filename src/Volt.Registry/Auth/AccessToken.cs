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
/// any process that can read the key file. <c>repos</c> (absent: every repository) limits it to some repositories.
/// </summary>
public sealed record AccessToken(
    [property: JsonPropertyName("sub")] string Subject,
    [property: JsonPropertyName("access")] string Access,
    [property: JsonPropertyName("iat")] long IssuedAt,
    [property: JsonPropertyName("exp")] long ExpiresAt,
    [property: JsonPropertyName("jti")] string Id,
    [property: JsonPropertyName("repos")] IReadOnlyList<string>? Repositories = null)
{
    /// <summary>Whether the token's repository scope includes <paramref name="repo"/> (see <see cref="RepositoryScope"/>).</summary>
    public bool Covers(string repo) => RepositoryScope.Covers(Repositories, repo);

    [JsonIgnore] public DateTimeOffset Expires => DateTimeOffset.FromUnixTimeSeconds(ExpiresAt);
    [JsonIgnore] public bool IsAnonymous => Subject == TokenService.AnonymousSubject;
}
