using System.Text;
using Microsoft.AspNetCore.Http;
using Volt.Registry.Auth;
using Volt.Registry.Errors;

namespace Volt.Registry.Http;

/// <summary>
/// Decides whether a request may proceed: anonymous pull (when enabled), or a valid token presented as
/// <c>Bearer</c> (what the token endpoint hands out) or as the password of HTTP Basic auth. A failure raises
/// UNAUTHORIZED (401, with the <c>WWW-Authenticate</c> challenge clients follow to <c>/token</c>) or DENIED (403).
/// </summary>
public sealed class Authenticator(TokenService tokens, bool anonymousPull)
{
    public const string Service = "volt-registry";

    private volatile bool _anonymousPull = anonymousPull;

    /// <summary>Whether a request without credentials may pull; SIGHUP's reload can change it.</summary>
    public bool AnonymousPull { get => _anonymousPull; set => _anonymousPull = value; }

    /// <summary>The token the request carries: null when it carries none; throws UNAUTHORIZED when it is invalid.</summary>
    public AccessToken? Identify(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.Length == 0) return null;
        string? token = null;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) token = header[7..].Trim();
        else if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) token = BasicPassword(header[6..].Trim());
        if (token is null) throw OciErrors.Unauthorized.With("unsupported or malformed Authorization header");
        var claims = tokens.Validate(token, out var reason) ?? throw OciErrors.Unauthorized.With(reason);
        if (claims.IsAnonymous && !_anonymousPull) throw OciErrors.Unauthorized.With("anonymous access is disabled");
        return claims;
    }

    /// <summary>
    /// Throws unless the request may perform an operation needing <paramref name="access"/> on
    /// <paramref name="repository"/> (null: an operation on no single repository, such as the catalog). Returns the
    /// token's claims (null for an anonymous pull without any token).
    /// </summary>
    public AccessToken? Authorize(HttpRequest request, string access, string? repository)
    {
        var claims = Identify(request);
        if (claims is null)
        {
            if (access == Access.Pull && _anonymousPull) return null;
            throw OciErrors.Unauthorized.With(access == Access.Push ? "pushing requires a push token" : "pulling requires a token");
        }
        if (repository is not null && !claims.Covers(repository))
        {
            if (claims.IsAnonymous) throw OciErrors.Unauthorized.With($"repository \"{repository}\" needs a token");
            throw OciErrors.Denied.With($"the token covers {RepositoryScope.Describe(claims.Repositories)}, not repository \"{repository}\"");
        }
        if (Access.Allows(claims.Access, access)) return claims;
        if (claims.IsAnonymous) throw OciErrors.Unauthorized.With("pushing requires a push token");
        throw OciErrors.Denied.With($"the token grants {claims.Access} access; this operation needs {access}");
    }

    /// <summary>Whether the request's credentials (already authorized) may read <paramref name="repository"/>: for mounts.</summary>
    public bool CanPull(AccessToken? claims, string repository) =>
        _anonymousPull || (claims is not null && claims.Covers(repository));

    /// <summary>Whether the credentials may read by digest alone, whatever repository holds it (a mount without <c>from</c>).</summary>
    public bool CanPullAnything(AccessToken? claims) => _anonymousPull || claims is { Repositories: null };

    /// <summary>The challenge sent with every 401.</summary>
    public static string Challenge(HttpRequest request, string? repository, string access)
    {
        var realm = $"{request.Scheme}://{request.Host}/token";
        var scope = repository is null ? "" : $",scope=\"repository:{repository}:{(access == Access.Push ? "pull,push" : "pull")}\"";
        return $"Bearer realm=\"{realm}\",service=\"{Service}\"{scope}";
    }

    public static string? BasicPassword(string encoded)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            var colon = text.IndexOf(':');
            return colon < 0 ? null : text[(colon + 1)..];
        }
        catch (FormatException) { return null; }
    }
}
