using Volt.Core.Errors;

namespace Volt.Images.Distribution;

/// <summary>Basic credentials for a registry (sent as Basic auth, or to the token endpoint).</summary>
public sealed record RegistryCredentials(string User, string Password)
{
    /// <summary>Parses <c>USER:PASSWORD</c> (as skopeo's <c>--creds</c>).</summary>
    public static RegistryCredentials? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        var colon = text.IndexOf(':');
        if (colon <= 0) throw VoltException.Usage("invalid credentials: expected USER:PASSWORD");
        return new RegistryCredentials(text[..colon], text[(colon + 1)..]);
    }

    public string Basic => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{User}:{Password}"));
}
