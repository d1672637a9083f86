using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Shouldly;
using Volt.Core.Processes;
using Volt.GitOps.Hosting;
using Volt.GitOps.Pipelines;
using Volt.GitOps.Sources;
using Volt.GitOps.Webhooks;
using Volt.Testing;
using Xunit;

namespace Volt.GitOps.Tests;

/// <summary>Records every process call, then runs it for real (so git still works), for the per-call-site checks.</summary>
internal sealed class RecordingRunner : IProcessRunner
{
    private readonly ProcessRunner _real = new();
    public ConcurrentQueue<(string Tool, string[] Args)> Calls { get; } = new();

    public Task<ProcessResult> RunAsync(string tool, IEnumerable<string> args, ProcessOptions? options = null, CancellationToken ct = default)
    {
        var list = args.ToArray();
        Calls.Enqueue((tool, list));
        return _real.RunAsync(tool, list, options, ct);
    }
}

public sealed class GitNamesTests
{
    [Theory]
    [InlineData("fd489864e7642b48eaad6e3f155c10e46810ec72", true)]
    [InlineData("FD489864E7642B48EAAD6E3F155C10E46810EC72", true)]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("fd489864", false)]
    [InlineData("--upload-pack=touch INJECTED #", false)]
    [InlineData("-h", false)]
    [InlineData("fd489864e7642b48eaad6e3f155c10e46810ec7g", false)]
    [InlineData("", false)]
    public void Commit_ids_are_40_or_64_hex(string id, bool ok) => GitNames.IsCommitId(id).ShouldBe(ok);

    [Theory]
    [InlineData("main", true)]
    [InlineData("feature/x-1", true)]
    [InlineData("release-1.2", true)]
    [InlineData("-h", false)]
    [InlineData("--upload-pack=x", false)]
    [InlineData("a..b", false)]
    [InlineData("a b", false)]
    [InlineData("a~1", false)]
    [InlineData("a^", false)]
    [InlineData("a:b", false)]
    [InlineData("a?", false)]
    [InlineData("a*", false)]
    [InlineData("a[", false)]
    [InlineData("a\\b", false)]
    [InlineData(".hidden", false)]
    [InlineData("x/.y", false)]
    [InlineData("x.lock", false)]
    [InlineData("x/", false)]
    [InlineData("x//y", false)]
    [InlineData("x.", false)]
    [InlineData("a@{1}", false)]
    [InlineData("@", false)]
    [InlineData("ma\u0001in", false)]
    [InlineData("", false)]
    public void Branch_names_follow_check_ref_format(string branch, bool ok) => GitNames.IsBranch(branch).ShouldBe(ok);

    /// <summary>The C# rules agree with git's own <c>git check-ref-format --branch</c> on every case above.</summary>
    [Theory]
    [InlineData("main")] [InlineData("feature/x-1")] [InlineData("-h")] [InlineData("a..b")] [InlineData("x.lock")]
    [InlineData("a@{1}")] [InlineData(".hidden")] [InlineData("x//y")] [InlineData("a b")] [InlineData("x.")]
    public void Branch_rules_match_git(string branch)
    {
        TestEnv.RequireTool("git");
        var (code, _, _) = TestEnv.Run("git", ["check-ref-format", "refs/heads/" + branch], null, null);
        var gitOk = code == 0 && !branch.StartsWith('-');
        GitNames.IsBranch(branch).ShouldBe(gitOk);
    }

    [Theory]
    [InlineData("https://github.com/o/r.git", null)]
    [InlineData("git@github.com:o/r.git", null)]
    [InlineData("svn://svn.example.com/trunk", null)]
    [InlineData("/srv/git/app.git", null)]
    [InlineData("--upload-pack=touch /tmp/x", "starts with '-'")]
    [InlineData("-oProxyCommand=x", "starts with '-'")]
    [InlineData("ext::sh -c touch% /tmp/pwned", "ext::")]
    [InlineData("fd::17", "fd::")]
    [InlineData("https://x/\nrepo", "control")]
    [InlineData("", "empty")]
    public void Unsafe_repo_urls_are_named(string url, string? why)
    {
        var r = GitNames.UnsafeRepoUrl(url);
        if (why is null) r.ShouldBeNull();
        else r.ShouldNotBeNull().ShouldContain(why);
    }
}

/// <summary>
/// Every git/svn call site: option-like values are refused before any process runs, and the operands that do reach
/// git/svn follow <c>--end-of-options</c> or <c>--</c>.
/// </summary>
public sealed class SourceControlCallSiteTests : IDisposable
{
    private readonly TempDir _dir = new("volt-gitops-src");
    private readonly string _marker;

    public SourceControlCallSiteTests() => _marker = _dir.Combine("INJECTED");

    public void Dispose() => _dir.Dispose();

    private static Pipeline Git(string url, string branch = "main") => new() { Name = "p", Repo = url, Provider = "github", Branch = branch, Workload = "w" };

    [Theory]
    [InlineData("--upload-pack=touch {0} #")]
    [InlineData("-h")]
    [InlineData("HEAD")]
    [InlineData("main~1")]
    public async Task A_commit_that_is_not_hex_never_reaches_git(string commit)
    {
        using var git = new GitServer();
        git.Push(new Dictionary<string, string> { ["f"] = "1" });
        var runner = new RecordingRunner();
        var e = await Should.ThrowAsync<SourceException>(() =>
            new SourceControl(runner).CheckoutAsync(Git(git.Url), _dir.Combine("repo"), string.Format(commit, _marker), CancellationToken.None));
        e.Message.ShouldStartWith("refusing commit");
        runner.Calls.ShouldBeEmpty();
        File.Exists(_marker).ShouldBeFalse();
    }

    [Theory]
    [InlineData("--upload-pack=touch {0} #", "refusing repository URL")]
    [InlineData("ext::sh -c touch% {0}", "refusing repository URL")]
    public async Task An_option_like_or_command_url_never_reaches_git(string url, string error)
    {
        var runner = new RecordingRunner();
        var e = await Should.ThrowAsync<SourceException>(() =>
            new SourceControl(runner).CheckoutAsync(Git(string.Format(url, _marker)), _dir.Combine("repo"), null, CancellationToken.None));
        e.Message.ShouldStartWith(error);
        runner.Calls.ShouldBeEmpty();
        File.Exists(_marker).ShouldBeFalse();
    }

    [Fact]
    public async Task An_invalid_branch_never_reaches_git()
    {
        var runner = new RecordingRunner();
        var e = await Should.ThrowAsync<SourceException>(() =>
            new SourceControl(runner).CheckoutAsync(Git("git://127.0.0.1:1/x.git", "--upload-pack=x"), _dir.Combine("repo"), null, CancellationToken.None));
        e.Message.ShouldStartWith("refusing branch");
        runner.Calls.ShouldBeEmpty();
    }

    [Fact]
    public async Task Every_git_call_ends_options_before_its_operands()
    {
        using var git = new GitServer();
        var c1 = git.Push(new Dictionary<string, string> { ["f"] = "1" });
        var c2 = git.Push(new Dictionary<string, string> { ["f"] = "2" });
        var runner = new RecordingRunner();
        var sources = new SourceControl(runner);
        var repo = _dir.Combine("repo");
        (await sources.CheckoutAsync(Git(git.Url), repo, c1, CancellationToken.None)).ShouldBe(c1);
        (await sources.CheckoutAsync(Git(git.Url), repo, null, CancellationToken.None)).ShouldBe(c2); // second run: set-url
        (await sources.IsAncestorAsync(repo, c1, c2, CancellationToken.None)).ShouldBeTrue();
        (await sources.IsAncestorAsync(repo, c2, c1, CancellationToken.None)).ShouldBeFalse();
        (await sources.IsAncestorAsync(repo, "-h", c1, CancellationToken.None)).ShouldBeFalse();
        var calls = runner.Calls.Select(c => c.Args.Skip(2).ToArray()).ToList(); // after "-C dir"
        string[] sub = ["remote", "fetch", "rev-parse", "merge-base"];
        foreach (var args in calls.Where(a => sub.Contains(a[0])))
        {
            var eoo = Array.IndexOf(args, "--end-of-options");
            eoo.ShouldBeGreaterThan(0, string.Join(' ', args));
            args.Skip(eoo + 1).ShouldAllBe(a => !a.StartsWith('-'));
            args.Take(eoo).ShouldAllBe(a => a.StartsWith('-') || a == args[0] || a == "add" || a == "set-url");
        }
        calls.Where(a => a[0] is "checkout" or "clean").Select(a => a.Last()).ShouldAllBe(last => last == "--");
        calls.Select(a => a[0]).ShouldContain("checkout");
        calls.Count(a => a[0] == "merge-base").ShouldBe(2); // "-h" never ran
    }

    [Fact]
    public async Task Svn_urls_and_revisions_are_checked_and_come_after_a_double_dash()
    {
        using var svn = new SvnServer();
        var p = new Pipeline { Name = "s", Repo = svn.Url, Provider = "svn", Branch = "trunk", Workload = "w" };
        var runner = new RecordingRunner();
        var sources = new SourceControl(runner);
        var rev = await sources.SvnRevisionAsync(p, CancellationToken.None);
        GitNames.IsSvnRevision(rev).ShouldBeTrue();
        (await sources.CheckoutAsync(p, _dir.Combine("export"), rev, CancellationToken.None)).ShouldBe(rev);
        foreach (var (_, args) in runner.Calls)
        {
            var dd = Array.IndexOf(args, "--");
            dd.ShouldBeGreaterThan(0);
            args[dd + 1].ShouldBe(svn.Url);
        }
        (await Should.ThrowAsync<SourceException>(() => sources.CheckoutAsync(p, _dir.Combine("x"), "-r1", CancellationToken.None))).Message.ShouldStartWith("refusing SVN revision");
        (await Should.ThrowAsync<SourceException>(() => sources.SvnRevisionAsync(p with { Repo = "--config-dir=/tmp" }, CancellationToken.None))).Message.ShouldStartWith("refusing repository URL");
        runner.Calls.Count.ShouldBe(2);
    }
}

/// <summary>End to end: a pipeline created without a secret (anyone may post), a real git daemon, injected ids.</summary>
public sealed class WebhookInjectionTests : IAsyncLifetime
{
    private readonly TempDir _dir = new("volt-gitops-inj");
    private readonly RecordingDeployer _deployer = new();
    private GitServer _git = null!;
    private GitOpsServer _server = null!;
    private readonly HttpClient _http = new();

    private PipelineStore Store => new(_dir.Combine("gitops"));
    private string Marker => _dir.Combine("INJECTED");

    public async ValueTask InitializeAsync()
    {
        _git = new GitServer();
        Store.Create(new Pipeline { Name = "open", Repo = _git.Url, Provider = "github", Branch = "main", Workload = "w", InsecureNoSecret = true });
        Store.Create(new Pipeline { Name = "gl", Repo = _git.Url, Provider = "gitlab", Branch = "main", Workload = "w", InsecureNoSecret = true });
        Store.Create(new Pipeline { Name = "bb", Repo = "https://bitbucket.org/o/r", CloneUrl = _git.Url, Provider = "bitbucket", Branch = "main", Workload = "w", InsecureNoSecret = true });
        try
        {
            _server = await GitOpsServer.StartAsync(new GitOpsServerOptions
            {
                Store = Store, Sources = new SourceControl(new ProcessRunner()), Workloads = _deployer, Listen = "127.0.0.1", Port = 0,
            });
        }
        catch { _git.Dispose(); throw; }
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _git.Dispose();
        _dir.Dispose();
        _http.Dispose();
    }

    private async Task<(HttpStatusCode Status, string Body)> Post(string provider, string json, string evt)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.Address, "/hooks/" + provider)) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json)) };
        req.Headers.Add(provider switch { "github" => "X-GitHub-Event", "gitlab" => "X-Gitlab-Event", _ => "X-Event-Key" }, evt);
        using var resp = await _http.SendAsync(req);
        return (resp.StatusCode, (await resp.Content.ReadAsStringAsync()).Trim());
    }

    [Theory]
    [InlineData("--upload-pack=touch {0} #")]
    [InlineData("-h")]
    public async Task An_option_as_commit_id_is_400_and_git_never_runs_it(string after)
    {
        _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: a:1\n" });
        var value = string.Format(after, Marker);
        var gh = await Post("github", $$$"""{"ref":"refs/heads/main","after":"{{{value}}}","repository":{"clone_url":"{{{_git.Url}}}"}}""", "push");
        (gh.Status, gh.Body).ShouldBe((HttpStatusCode.BadRequest, $"invalid payload: invalid commit id in \"after\": \"{value}\" (expected 40 or 64 hex digits)"));
        var gl = await Post("gitlab", $$$"""{"object_kind":"push","ref":"refs/heads/main","after":"{{{value}}}","project":{"git_http_url":"{{{_git.Url}}}"}}""", "Push Hook");
        gl.Status.ShouldBe(HttpStatusCode.BadRequest);
        var bb = await Post("bitbucket", BitbucketBody.Json(("main", value)), "repo:push");
        bb.Status.ShouldBe(HttpStatusCode.BadRequest);
        // A valid push afterwards proves the server was listening and deploys do run: only it reaches the history.
        var good = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: a:2\n" });
        (await Post("github", $$$"""{"ref":"refs/heads/main","after":"{{{good}}}","repository":{"clone_url":"{{{_git.Url}}}"}}""", "push")).Status.ShouldBe(HttpStatusCode.Accepted);
        var h = await Wait.ForHistory(Store, "open", 1);
        h.Single().Commit.ShouldBe(good);
        Store.History("gl").ShouldBeEmpty();
        Store.History("bb").ShouldBeEmpty();
        File.Exists(Marker).ShouldBeFalse();
    }

    [Theory]
    [InlineData("refs/heads/--upload-pack=x")]
    [InlineData("refs/heads/-h")]
    [InlineData("refs/heads/a..b")]
    [InlineData("refs/heads/ma in")]
    public async Task An_invalid_ref_is_400(string gitRef)
    {
        var r = await Post("github", $$$"""{"ref":"{{{gitRef}}}","after":"{{{new string('a', 40)}}}","repository":{"clone_url":"{{{_git.Url}}}"}}""", "push");
        r.Status.ShouldBe(HttpStatusCode.BadRequest);
        r.Body.ShouldStartWith("invalid payload: invalid ref");
        var bb = await Post("bitbucket", BitbucketBody.Json((gitRef["refs/heads/".Length..], new string('a', 40))), "repo:push");
        bb.Status.ShouldBe(HttpStatusCode.BadRequest);
    }
}
