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
    public Task<string> CheckoutAsync(Pipeline p, string dir, string? commit, CancellationToken ct) =>
        p.IsSvn ? SvnExportAsync(p, dir, commit, ct) : GitCheckoutAsync(p, dir, commit, ct);

    private async Task<string> GitCheckoutAsync(Pipeline p, string dir, string? commit, CancellationToken ct)
    {
        if (!Directory.Exists(Path.Combine(dir, ".git")))
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            Directory.CreateDirectory(dir);
            await Git(dir, ct, "init", "-q").ConfigureAwait(false);
            await Git(dir, ct, "remote", "add", "origin", p.FetchUrl).ConfigureAwait(false);
        }
        else await Git(dir, ct, "remote", "set-url", "origin", p.FetchUrl).ConfigureAwait(false);
        await Git(dir, ct, "fetch", "-q", "--prune", "origin", $"+refs/heads/{p.Branch}:refs/remotes/origin/{p.Branch}").ConfigureAwait(false);
        var target = commit ?? $"refs/remotes/origin/{p.Branch}";
        var resolved = await runner.RunAsync("git", ["-C", dir, "rev-parse", "--verify", "-q", target + "^{commit}"], new ProcessOptions { Timeout = Timeout }, ct).ConfigureAwait(false);
        if (!resolved.Success && commit is not null)
        {
            // A commit no longer on the branch (force-push) may still be fetchable by id.
            await Git(dir, ct, "fetch", "-q", "origin", commit).ConfigureAwait(false);
            resolved = await runner.RunAsync("git", ["-C", dir, "rev-parse", "--verify", "-q", commit + "^{commit}"], new ProcessOptions { Timeout = Timeout }, ct).ConfigureAwait(false);
        }
        if (!resolved.Success) throw new SourceException($"commit {commit ?? p.Branch} not found in {p.FetchUrl}");
        var sha = resolved.StdOut.Trim();
        await Git(dir, ct, "checkout", "-q", "--force", "--detach", sha).ConfigureAwait(false);
        await Git(dir, ct, "clean", "-q", "-fdx").ConfigureAwait(false);
        return sha;
    }

    private async Task Git(string dir, CancellationToken ct, params string[] args)
    {
        var env = new Dictionary<string, string?> { ["GIT_TERMINAL_PROMPT"] = "0", ["GIT_ASKPASS"] = "true" };
        var r = await runner.RunAsync("git", ["-C", dir, .. args], new ProcessOptions { Timeout = Timeout, Environment = env }, ct).ConfigureAwait(false);
        if (!r.Success) throw new SourceException($"git {args[0]} failed: {Reason(r)}");
    }

    /// <summary>The revision of the tracked path's last change (<c>svn info --show-item last-changed-revision</c>).</summary>
    public async Task<string> SvnRevisionAsync(Pipeline p, CancellationToken ct)
    {
        var r = await runner.RunAsync("svn", ["info", "--non-interactive", "--show-item", "last-changed-revision", p.FetchUrl],
            new ProcessOptions { Timeout = Timeout }, ct).ConfigureAwait(false);
        if (!r.Success) throw new SourceException($"svn info failed: {Reason(r)}");
        return r.StdOut.Trim();
    }

    private async Task<string> SvnExportAsync(Pipeline p, string dir, string? revision, CancellationToken ct)
    {
        revision ??= await SvnRevisionAsync(p, ct).ConfigureAwait(false);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        var r = await runner.RunAsync("svn", ["export", "--non-interactive", "-q", "--force", "-r", revision, p.FetchUrl, dir],
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
