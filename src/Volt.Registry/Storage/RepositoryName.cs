using System.Text.RegularExpressions;
using Volt.Registry.Errors;

namespace Volt.Registry.Storage;

/// <summary>
/// Repository names and tags as the distribution spec's grammar defines them. A valid name never contains
/// <c>..</c>, a leading <c>/</c>, uppercase or a component starting with <c>_</c>, so it maps to a path under
/// refs/registry/ and can never collide with the index's <c>_tags</c>/<c>_manifests</c>/<c>_blobs</c> folders.
/// </summary>
public static partial class RepositoryName
{
    /// <summary>CNCF distribution's limit (the spec lets registries choose one; clients keep host+name under 255).</summary>
    public const int MaxLength = 255;

    [GeneratedRegex("^[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    public static bool IsValid(string name) => name.Length is > 0 and <= MaxLength && NamePattern().IsMatch(name);

    public static bool IsValidTag(string tag) => TagPattern().IsMatch(tag);

    /// <summary>Throws NAME_INVALID naming what is wrong.</summary>
    public static string Validate(string name)
    {
        if (name.Length > MaxLength) throw OciErrors.NameInvalid.With($"repository name is {name.Length} characters, over the {MaxLength}-character limit");
        if (!IsValid(name)) throw OciErrors.NameInvalid.With($"invalid repository name \"{name}\": expected lowercase path components [a-z0-9] joined by '.', '_', '__' or '-', separated by '/'");
        return name;
    }

    public static string ValidateTag(string tag) => IsValidTag(tag) ? tag
        : throw OciErrors.ManifestInvalid.With($"invalid tag \"{tag}\": expected [a-zA-Z0-9_][a-zA-Z0-9._-]{{0,127}}");
}
