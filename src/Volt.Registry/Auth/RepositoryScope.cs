using Volt.Registry.Errors;
using Volt.Registry.Storage;

namespace Volt.Registry.Auth;

/// <summary>
/// The repositories a token covers: <c>null</c> means every repository; otherwise a list of names
/// (<c>team/app</c>) and prefix patterns (<c>team/*</c>: every repository under <c>team/</c>, at any depth).
/// An empty list covers nothing.
/// </summary>
public static class RepositoryScope
{
    /// <summary>Checks one pattern (exit 2 / NAME_INVALID naming it).</summary>
    public static string ValidatePattern(string pattern)
    {
        var name = pattern.EndsWith("/*", StringComparison.Ordinal) ? pattern[..^2] : pattern;
        if (!RepositoryName.IsValid(name))
            throw OciErrors.NameInvalid.With($"invalid repository scope \"{pattern}\": expected a repository name or NAME/* (e.g. team/app, team/*)");
        return pattern;
    }

    /// <summary>Parses <c>REPO[,REPO…]</c>; duplicates are dropped, order kept.</summary>
    public static List<string> Parse(string list)
    {
        var result = new List<string>();
        foreach (var part in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            if (!result.Contains(part)) result.Add(ValidatePattern(part));
        if (result.Count == 0) throw OciErrors.NameInvalid.With("--scope needs at least one repository");
        return result;
    }

    public static bool Matches(string pattern, string repo) =>
        pattern.EndsWith("/*", StringComparison.Ordinal)
            ? repo.Length > pattern.Length - 1 && repo.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal)
            : pattern == repo;

    public static bool Covers(IReadOnlyList<string>? patterns, string repo) => patterns is null || patterns.Any(p => Matches(p, repo));

    /// <summary>Text for audit lines and errors.</summary>
    public static string Describe(IReadOnlyList<string>? patterns) => patterns is null ? "all repositories" : patterns.Count == 0 ? "no repository" : string.Join(",", patterns);
}
