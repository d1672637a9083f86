namespace Volt.GitOps.Sources;

/// <summary>
/// What may reach <c>git</c> / <c>svn</c> as an operand: commit ids, branch names (git's own check-ref-format rules),
/// SVN revisions and repository URLs. The payload parser and <see cref="SourceControl"/> both check (defence in depth).
/// </summary>
public static class GitNames
{
    /// <summary>A full commit id: 40 (SHA-1) or 64 (SHA-256) hex digits.</summary>
    public static bool IsCommitId(string? s) => s is { Length: 40 or 64 } && s.All(char.IsAsciiHexDigit);

    /// <summary>A commit id or an abbreviation of one (4 to 64 hex digits), as <c>rollback --to</c> takes.</summary>
    public static bool IsCommitPrefix(string? s) => s is { Length: >= 4 and <= 64 } && s.All(char.IsAsciiHexDigit);

    /// <summary>An SVN revision number (digits only, no sign).</summary>
    public static bool IsSvnRevision(string? s) => s is { Length: > 0 and <= 18 } && s.All(char.IsAsciiDigit);

    /// <summary>
    /// A branch name as <c>git check-ref-format --branch</c> accepts it: <c>refs/heads/NAME</c> is a valid ref and NAME
    /// does not start with '-'. At most 255 characters.
    /// </summary>
    public static bool IsBranch(string? s) => s is { Length: > 0 and <= 255 } && s[0] != '-' && s != "@" && IsRefName("refs/heads/" + s);

    /// <summary>The rules of <c>git check-ref-format</c> (without --allow-onelevel / --refspec-pattern).</summary>
    public static bool IsRefName(string? s)
    {
        if (string.IsNullOrEmpty(s) || s.Length > 1024 || s == "@") return false;
        if (s.EndsWith('/') || s.EndsWith('.') || s.StartsWith('/') || s.Contains("//") || s.Contains("..") || s.Contains("@{")) return false;
        foreach (var c in s)
            if (c < 0x20 || c == 0x7f || c is ' ' or '~' or '^' or ':' or '?' or '*' or '[' or '\\') return false;
        var parts = s.Split('/');
        if (parts.Length < 2) return false;
        foreach (var part in parts)
            if (part.Length == 0 || part[0] == '.' || part.EndsWith(".lock", StringComparison.Ordinal)) return false;
        return true;
    }

    /// <summary>
    /// Why a repository URL must not reach git or svn, or null when it may: empty, starting with '-' (an option),
    /// control characters, or a transport that runs commands or opens descriptors (<c>ext::</c>, <c>fd::</c>, any
    /// <c>X::</c> remote helper).
    /// </summary>
    public static string? UnsafeRepoUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return "is empty";
        if (url.Length > 2048) return "is longer than 2048 characters";
        if (url[0] == '-') return "starts with '-' (it would be read as an option)";
        if (url.Any(c => c < 0x20 || c == 0x7f)) return "contains control characters";
        var helper = url.IndexOf("::", StringComparison.Ordinal);
        if (helper > 0 && !url[..helper].Contains('/')) return $"uses the \"{url[..helper]}::\" transport (remote helpers such as ext:: and fd:: are refused)";
        return null;
    }

    /// <summary>The transports git may use for pipelines (GIT_ALLOW_PROTOCOL): no ext, fd or other helpers.</summary>
    public const string AllowedProtocols = "file:git:http:https:ssh";
}
