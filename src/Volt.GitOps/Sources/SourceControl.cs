using Volt.Core.Processes;
using Volt.GitOps.Pipelines;

namespace Volt.GitOps.Sources;

/// <summary>A checkout failure carrying git's or svn's own reason.</summary>
public sealed class SourceException(string message) : Exception(message);

/// <summary>
/// Brings a pipeline's repository to one exact commit/revision in its <c>repo/</c> directory, with the real
/// <c>git</c> / <c>svn</c> through <see cref="IProcessRunner"/>.
/// </summary>
public sealed class SourceControl(IProcessRunner runner)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>Checks out <paramref name="commit"/> (or the branch head when null); returns the full commit/revision.</summary>
    public Task<string> CheckoutAsync(Pipeline p, string dir, string? commit, CancellationToken ct)
    {
        Check(p, commit);
        return p.IsSvn ? SvnExportAsync(p, dir, commit, ct) : GitCheckoutAsync(p, dir, commit, ct);
    }

    /// <summary>
    /// Refuses what must never reach git/svn as an operand (the webhook parser checked already; this is the second
    /// line): a URL that is an option or a command transport, an invalid branch, a commit that is not hex.
    /// </summary>
    private static void Check(Pipeline p, string? commit)
    {
        if (GitNames.UnsafeRepoUrl(p.FetchUrl) is { } why) throw new SourceException($"refusing repository URL: it {why}");
        if (p.IsSvn)
        {
            if (commit is not null && !GitNames.IsSvnRevision(commit)) throw new SourceException($"refusing SVN revision \"{Shown(commit)}\": not a revision number");
            return;
        }
        if (!GitNames.IsBranch(p.Branch)) throw new SourceException($"refusing branch \"{Shown(p.Branch)}\": not a valid git branch name");
        if (commit is not null && !GitNames.IsCommitPrefix(commit)) throw new SourceException($"refusing commit \"{Shown(commit)}\": not a commit id (hex)");
    }

    /// <summary>A value quoted in an error: at most 80 characters, control characters as '?'.</summary>
    public static string Shown(string s, int max = 80)
    {
        var t = new string([.. s.Take(max).Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '?' : c)]);
        return s.Length > max ? t + "…" : t;
    }

    private async Task<string> GitCheckoutAsync(Pipeline p, string dir, string? commit, CancellationToken ct)
    {
        if (!Directory.Exists(Path.Combine(dir, ".git")))
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            Directory.CreateDirectory(dir);
            await Git(dir, ct, "init", "-q").ConfigureAwait(false);
            await Git(dir, ct, "remote", "add", "--end-of-options", "origin", p.FetchUrl).ConfigureAwait(false);
        }
        else await Git(dir, ct, "remote", "set-url", "--end-of-options", "origin", p.FetchUrl).ConfigureAwait(false);
        await Git(dir, ct, "fetch", "-q", "--prune", "--end-of-options", "origin", $"+refs/heads/{p.Branch}:refs/remotes/origin/{p.Branch}").ConfigureAwait(false);
        var target = commit ?? $"refs/remotes/origin/{p.Branch}";
        var resolved = await RevParse(dir, target, ct).ConfigureAwait(false);
        if (resolved is null && commit is not null)
        {
            // A commit no longer on the branch (force-push) may still be fetchable by id.
            await Git(dir, ct, "fetch", "-q", "--end-of-options", "origin", commit).ConfigureAwait(false);
            resolved = await RevParse(dir, commit, ct).ConfigureAwait(false);
        }
        if (resolved is null) throw new SourceException($"commit {commit ?? p.Branch} not found in {p.FetchUrl}");
        // checkout has no --end-of-options in git 2.39: the validated id comes before "--", which ends the revisions.
        await Git(dir, ct, "checkout", "-q", "--force", "--detach", resolved, "--").ConfigureAwait(false);
        await Git(dir, ct, "clean", "-q", "-fdx", "--").ConfigureAwait(false);
        return resolved;
    }

    private async Task<string?> RevParse(string dir, string rev, CancellationToken ct)
    {
        var r = await runner.RunAsync("git", ["-C", dir, "rev-parse", "--verify", "-q", "--end-of-options", rev + "^{commit}"],
            new ProcessOptions { Timeout = Timeout, Environment = GitEnv() }, ct).ConfigureAwait(false);
        var sha = r.StdOut.Trim();
        return r.Success && GitNames.IsCommitId(sha) ? sha : null;
    }

    /// <summary>
    /// True when <paramref name="commit"/> is an ancestor of (or equal to) <paramref name="of"/> in the checked-out
    /// repository (<c>git merge-base --is-ancestor</c>); false when it is not or either is unknown.
    /// </summary>
    public async Task<bool> IsAncestorAsync(string dir, string commit, string of, CancellationToken ct)
    {
        if (!GitNames.IsCommitPrefix(commit) || !GitNames.IsCommitPrefix(of)) return false;
        var r = await runner.RunAsync("git", ["-C", dir, "merge-base", "--is-ancestor", "--end-of-options", commit, of],
            new ProcessOptions { Timeout = Timeout, Environment = GitEnv() }, ct).ConfigureAwait(false);
        return r.ExitCode == 0;
    }

    private static Dictionary<string, string?> GitEnv() => new()
    {
        ["GIT_TERMINAL_PROMPT"] = "0", ["GIT_ASKPASS"] = "true", ["GIT_ALLOW_PROTOCOL"] = GitNames.AllowedProtocols,
    };

    private async Task Git(string dir, CancellationToken ct, params string[] args)
    {
        var r = await runner.RunAsync("git", ["-C", dir, .. args], new ProcessOptions { Timeout = Timeout, Environment = GitEnv() }, ct).ConfigureAwait(false);
        if (!r.Success) throw new SourceException($"git {args[0]} failed: {Reason(r)}");
    }

    /// <summary>The revision of the tracked path's last change (<c>svn info --show-item last-changed-revision</c>).</summary>
    public async Task<string> SvnRevisionAsync(Pipeline p, CancellationToken ct)
    {
        if (GitNames.UnsafeRepoUrl(p.FetchUrl) is { } why) throw new SourceException($"refusing repository URL: it {why}");
        var r = await runner.RunAsync("svn", ["info", "--non-interactive", "--show-item", "last-changed-revision", "--", p.FetchUrl],
            new ProcessOptions { Timeout = Timeout }, ct).ConfigureAwait(false);
        if (!r.Success) throw new SourceException($"svn info failed: {Reason(r)}");
        var rev = r.StdOut.Trim();
        return GitNames.IsSvnRevision(rev) ? rev : throw new SourceException($"svn info answered \"{Shown(rev)}\", not a revision number");
    }

    private async Task<string> SvnExportAsync(Pipeline p, string dir, string? revision, CancellationToken ct)
    {
        revision ??= await SvnRevisionAsync(p, ct).ConfigureAwait(false);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        var r = await runner.RunAsync("svn", ["export", "--non-interactive", "-q", "--force", "-r", revision, "--", p.FetchUrl, dir],
            new ProcessOptions { Timeout = Timeout }, ct).ConfigureAwait(false);
        if (!r.Success) throw new SourceException($"svn export failed: {Reason(r)}");
        return revision;
    }

    private static string Reason(ProcessResult r)
    {
        var lines = (r.StdErr + "\n" + r.StdOut).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? $"exit code {r.ExitCode}" : string.Join(" ", lines.TakeLast(2));
    }
}
