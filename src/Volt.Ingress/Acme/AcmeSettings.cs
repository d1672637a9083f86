namespace Volt.Ingress.Acme;

/// <summary>Where the ACME client asks for certificates (config <c>ingress.acme.*</c>, serve flags).</summary>
public sealed record AcmeSettings
{
    public const string LetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory";
    public const string LetsEncryptStaging = "https://acme-staging-v02.api.letsencrypt.org/directory";

    /// <summary>Directory URL, or the presets <c>letsencrypt</c> / <c>letsencrypt-staging</c>.</summary>
    public string Directory { get; init; } = LetsEncrypt;
    public string? Email { get; init; }
    /// <summary>PEM bundle of extra roots trusted for the ACME server's HTTPS (pebble's).</summary>
    public string? CaBundle { get; init; }

    /// <summary>The preset's URL, or <paramref name="d"/> itself when it is an absolute https:// URL (as config ingress.acme.directory); null otherwise.</summary>
    public static string? ResolveDirectory(string d) => d switch
    {
        "letsencrypt" => LetsEncrypt,
        "letsencrypt-staging" => LetsEncryptStaging,
        _ when Uri.TryCreate(d, UriKind.Absolute, out var u) && u.Scheme == Uri.UriSchemeHttps && u.Host.Length > 0 => d,
        _ => null,
    };
}
