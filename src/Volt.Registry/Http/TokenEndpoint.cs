using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Volt.Registry.Auth;
using Volt.Registry.Errors;
using Volt.Registry.Json;
using Volt.Registry.Storage;

namespace Volt.Registry.Http;

/// <summary>
/// <c>GET /token</c> (Docker token flow: HTTP Basic with any username and a volt token as the password) and
/// <c>POST /token</c> (OAuth2 form: <c>grant_type=password</c> or <c>refresh_token</c>). It returns a short-lived
/// bearer token with the access of the presented token, narrowed to the requested <c>scope</c>s; without
/// credentials, an anonymous pull token when anonymous pull is enabled.
/// </summary>
public sealed class TokenEndpoint(TokenService tokens, Authenticator auth, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public async Task HandleAsync(RequestScope s)
    {
        var scopes = new List<string>(s.Request.Query["scope"].Select(v => v ?? ""));
        AccessToken? presented = s.Request.Method switch
        {
            "GET" => auth.Identify(s.Request),
            "POST" => await FromFormAsync(s, scopes).ConfigureAwait(false),
            _ => throw OciErrors.Unsupported.With($"{s.Request.Method} is not supported on /token"),
        };
        if (presented is null && !auth.AnonymousPull) throw OciErrors.Unauthorized.With("credentials required: use a volt registry token as the password");
        var now = time.GetUtcNow();
        var lifetime = presented is null ? Lifetime : TimeSpan.FromTicks(Math.Min(Lifetime.Ticks, (presented.Expires - now).Ticks));
        var (access, repositories) = Narrow(presented?.Access ?? Access.Pull, presented?.Repositories, scopes);
        var (token, claims) = tokens.Issue(presented?.Subject ?? TokenService.AnonymousSubject, access,
            lifetime < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : lifetime, repositories);
        var body = new TokenResponse(token, token, claims.ExpiresAt - claims.IssuedAt,
            DateTimeOffset.FromUnixTimeSeconds(claims.IssuedAt).ToString("yyyy-MM-ddTHH:mm:ssZ"));
        s.Response.Headers.CacheControl = "no-store";
        await s.WriteAsync(200, "application/json", JsonSerializer.SerializeToUtf8Bytes(body, RegistryJson.Default.TokenResponse)).ConfigureAwait(false);
    }

    /// <summary>
    /// The Docker token flow's <c>scope=repository:NAME:ACTIONS</c> (repeatable, space-separated): the issued token
    /// covers the named repositories the presented one covers, with push only if some scope asks for it and the
    /// presented token has it. It never gains anything; without any repository scope it keeps the presented grant.
    /// </summary>
    public static (string Access, IReadOnlyList<string>? Repositories) Narrow(string access, IReadOnlyList<string>? granted, IEnumerable<string> scopes)
    {
        var names = new List<string>();
        var wantsPush = false;
        var any = false;
        foreach (var scope in scopes.SelectMany(v => v.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
        {
            var parts = scope.Split(':');
            if (parts.Length < 3 || parts[0] != "repository") continue; // registry:catalog:* and other resource types
            any = true;
            var name = string.Join(':', parts[1..^1]);
            var actions = parts[^1].Split(',');
            if (!RepositoryName.IsValid(name) || !RepositoryScope.Covers(granted, name)) continue;
            if (!names.Contains(name)) names.Add(name);
            wantsPush |= actions.Contains("push") || actions.Contains("delete") || actions.Contains("*");
        }
        if (!any) return (access, granted);
        return (access == Access.Push && wantsPush ? Access.Push : Access.Pull, names);
    }

    private async Task<AccessToken?> FromFormAsync(RequestScope s, List<string> scopes)
    {
        if (!s.Request.HasFormContentType) return auth.Identify(s.Request);
        var form = await s.Request.ReadFormAsync(s.Aborted).ConfigureAwait(false);
        scopes.AddRange(form["scope"].Select(v => v ?? ""));
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
