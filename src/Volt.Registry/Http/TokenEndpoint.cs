using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Volt.Registry.Auth;
using Volt.Registry.Errors;
using Volt.Registry.Json;

namespace Volt.Registry.Http;

/// <summary>
/// <c>GET /token</c> (Docker token flow: HTTP Basic with any username and a volt token as the password) and
/// <c>POST /token</c> (OAuth2 form: <c>grant_type=password</c> or <c>refresh_token</c>). It returns a short-lived
/// bearer token with the access of the presented token; without credentials, an anonymous pull token when
/// anonymous pull is enabled.
/// </summary>
public sealed class TokenEndpoint(TokenService tokens, Authenticator auth, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public async Task HandleAsync(RequestScope s)
    {
        AccessToken? presented = s.Request.Method switch
        {
            "GET" => auth.Identify(s.Request),
            "POST" => await FromFormAsync(s).ConfigureAwait(false),
            _ => throw OciErrors.Unsupported.With($"{s.Request.Method} is not supported on /token"),
        };
        if (presented is null && !auth.AnonymousPull) throw OciErrors.Unauthorized.With("credentials required: use a volt registry token as the password");
        var now = time.GetUtcNow();
        var lifetime = presented is null ? Lifetime : TimeSpan.FromTicks(Math.Min(Lifetime.Ticks, (presented.Expires - now).Ticks));
        var (token, claims) = tokens.Issue(presented?.Subject ?? TokenService.AnonymousSubject, presented?.Access ?? Access.Pull,
            lifetime < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : lifetime);
        var body = new TokenResponse(token, token, claims.ExpiresAt - claims.IssuedAt,
            DateTimeOffset.FromUnixTimeSeconds(claims.IssuedAt).ToString("yyyy-MM-ddTHH:mm:ssZ"));
        s.Response.Headers.CacheControl = "no-store";
        await s.WriteAsync(200, "application/json", JsonSerializer.SerializeToUtf8Bytes(body, RegistryJson.Default.TokenResponse)).ConfigureAwait(false);
    }

    private async Task<AccessToken?> FromFormAsync(RequestScope s)
    {
        if (!s.Request.HasFormContentType) return auth.Identify(s.Request);
        var form = await s.Request.ReadFormAsync(s.Aborted).ConfigureAwait(false);
        var secret = form["grant_type"].ToString() switch
        {
            "password" => form["password"].ToString(),
            "refresh_token" => form["refresh_token"].ToString(),
            _ => "",
        };
        if (secret.Length == 0) return auth.Identify(s.Request);
        return tokens.Validate(secret, out var reason) ?? throw OciErrors.Unauthorized.With(reason);
    }
}
