using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Shouldly;
using Volt.Core.Processes;
using Volt.GitOps.Deploy;
using Volt.GitOps.Hosting;
using Volt.GitOps.Pipelines;
using Volt.GitOps.Sources;
using Volt.GitOps.Webhooks;
using Volt.Testing;
using Xunit;

namespace Volt.GitOps.Tests;

/// <summary>The webhook server in-process on 127.0.0.1:0 against a real git daemon; deploys are recorded, not run.</summary>
public sealed class WebhookServerTests : IAsyncLifetime
{
    private const string Secret = "my-webhook-secret";
    private readonly TempDir _dir = new("volt-gitops");
    private readonly RecordingDeployer _deployer = new();
    private readonly List<string> _log = [];
    private GitServer _git = null!;
    private GitOpsServer _server = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private PipelineStore Store => new(_dir.Combine("gitops"));

    public async ValueTask InitializeAsync()
    {
        _git = new GitServer();
        Store.Create(new Pipeline { Name = "web-app", Repo = _git.Url, Provider = "github", Branch = "main", Workload = "web", Secret = Secret });
        try
        {
            _server = await GitOpsServer.StartAsync(new GitOpsServerOptions
            {
                Store = Store, Sources = new SourceControl(new ProcessRunner()), Workloads = _deployer, Listen = "127.0.0.1", Port = 0,
                Logging = new ListLoggerFactory(_log),
            });
        }
        catch { _git.Dispose(); throw; } // DisposeAsync is not called when initialisation fails
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _git.Dispose();
        _dir.Dispose();
        _http.Dispose();
    }

    private static byte[] GitHubPush(string repo, string branch, string after, string before = "1111111111111111111111111111111111111111") =>
        Encoding.UTF8.GetBytes($$$"""{"ref":"refs/heads/{{{branch}}}","before":"{{{before}}}","after":"{{{after}}}","repository":{"clone_url":"{{{repo}}}","html_url":"{{{repo}}}"},"head_commit":{"id":"{{{after}}}"}}""");

    private async Task<(HttpStatusCode Status, string Body)> Post(string path, byte[] body, params (string, string)[] headers)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.Address, path)) { Content = new ByteArrayContent(body) };
        req.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (k, v) in headers) req.Headers.TryAddWithoutValidation(k, v);
        using var resp = await _http.SendAsync(req);
        return (resp.StatusCode, await resp.Content.ReadAsStringAsync());
    }

    private Task<(HttpStatusCode Status, string Body)> GitHub(byte[] body, string evt = "push", string secret = Secret) =>
        Post("/hooks/github", body, ("X-GitHub-Event", evt), ("X-Hub-Signature-256", Signatures.HubSignature(secret, body)));

    [Fact]
    public async Task A_corrupt_pipeline_is_answered_with_the_shared_status_of_its_exit_code_and_its_message()
    {
        // No readable pipeline trusts the request and one is corrupt: the one ExitCode→HTTP map (12 → 422), not a 500.
        Directory.CreateDirectory(Path.Combine(Store.Root, "broken"));
        File.WriteAllText(Path.Combine(Store.Root, "broken", "pipeline.json"), "{");
        var (status, body) = await GitHub(GitHubPush(_git.Url, "main", "2222222222222222222222222222222222222222"), secret: "not-the-secret");
        ((int)status).ShouldBe(Volt.Hosting.HttpErrors.StatusFor(Volt.Core.Errors.ExitCode.InvalidConfig));
        ((int)status).ShouldBe(422);
        body.ShouldContain("pipeline \"broken\" is corrupt");
    }

    [Fact]
    public async Task A_corrupt_pipeline_is_skipped_and_logged_while_a_good_one_deploys_its_push()
    {
        Directory.CreateDirectory(Path.Combine(Store.Root, "broken"));
        File.WriteAllText(Path.Combine(Store.Root, "broken", "pipeline.json"), "{");
        var c1 = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: busybox:local\ncommand: sleep 1000\n" });
        var (status, body) = await GitHub(GitHubPush(_git.Url, "main", c1));
        status.ShouldBe(HttpStatusCode.Accepted, body);
        (await Wait.ForHistory(Store, "web-app", 1))[0].Commit.ShouldBe(c1);
        lock (_log) _log.ShouldContain(l => l.StartsWith("8013 webhook github: skipped:") && l.Contains("pipeline \"broken\" is corrupt"));
        lock (_log) _log.ShouldContain(l => l.StartsWith($"8020 deploy web-app: {c1} (webhook (github))"));
    }

    [Fact]
    public async Task Push_deploys_the_pushed_commit_and_a_second_push_redeploys_with_the_new_setting()
    {
        var c1 = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: busybox:local\ncommand: sleep 1000\nenv: { MODE: one }\n" });
        var (status, body) = await GitHub(GitHubPush(_git.Url, "main", c1));
        status.ShouldBe(HttpStatusCode.Accepted, body);
        body.ShouldContain("deploying");
        var h = await Wait.ForHistory(Store, "web-app", 1);
        h[0].Status.ShouldBe("success", h[0].Notes);
        h[0].Commit.ShouldBe(c1);
        h[0].Notes.ShouldBe("webhook (github)");
        _deployer.Deployed.Last().Manifest.Env.ShouldBe(["MODE=one"]);

        var c2 = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: busybox:local\ncommand: sleep 1000\nenv: { MODE: two }\n" });
        (await GitHub(GitHubPush(_git.Url, "main", c2, c1))).Status.ShouldBe(HttpStatusCode.Accepted);
        h = await Wait.ForHistory(Store, "web-app", 2);
        (h[0].Status, h[0].Commit).ShouldBe(("success", c2));
        _deployer.Deployed.Last().Manifest.Env.ShouldBe(["MODE=two"]);
        Store.Deployed("web-app").ShouldBe(c2);
    }

    [Fact]
    public async Task The_pushed_commit_is_checked_out_not_the_later_branch_head()
    {
        var c1 = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: a:1\n" });
        _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: a:2\n" });
        (await GitHub(GitHubPush(_git.Url, "main", c1))).Status.ShouldBe(HttpStatusCode.Accepted);
        var h = await Wait.ForHistory(Store, "web-app", 1);
        h[0].Commit.ShouldBe(c1);
        _deployer.Deployed.Single().Manifest.Image.ShouldBe("a:1");
    }

    [Fact]
    public async Task Bad_signature_is_403_and_records_nothing()
    {
        var c1 = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: a:1\n" });
        var body = GitHubPush(_git.Url, "main", c1);
        (await GitHub(body, secret: "wrong")).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Post("/hooks/github", body, ("X-GitHub-Event", "push"))).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Post("/hooks/github", body, ("X-GitHub-Event", "push"), ("X-Hub-Signature", Signatures.HubSignature(Secret, body)))).Status.ShouldBe(HttpStatusCode.Forbidden);
        await Task.Delay(300);
        Store.History("web-app").ShouldBeEmpty();
        _deployer.Deployed.ShouldBeEmpty();
        Directory.Exists(Store.RepoDir("web-app")).ShouldBeFalse(); // nothing cloned
        lock (_log) _log.ShouldContain(l => l.StartsWith("8011 webhook github: 403 signature verification failed"));
    }

    [Fact]
    public async Task Ping_tags_deletions_other_branches_and_other_repos_do_not_deploy()
    {
        var ping = File.ReadAllBytes(Path.Combine(TestEnv.TestData, "webhooks", "github-ping.json"));
        (await GitHub(ping, "ping")).Status.ShouldBe(HttpStatusCode.OK);
        var tag = File.ReadAllBytes(Path.Combine(TestEnv.TestData, "webhooks", "github-push-tag-deleted.json"));
        var r = await GitHub(tag);
        (r.Status, r.Body.Trim()).ShouldBe((HttpStatusCode.Accepted, "ignored: tag push"));
        r = await GitHub(GitHubPush(_git.Url, "main", new string('0', 40)));
        (r.Status, r.Body.Trim()).ShouldBe((HttpStatusCode.Accepted, "ignored: branch deletion"));
        r = await GitHub(GitHubPush(_git.Url, "feature", new string('a', 40)));
        r.Body.ShouldContain("ignored: branch \"feature\" is not tracked");
        var stored = File.ReadAllBytes(Path.Combine(TestEnv.TestData, "webhooks", "github-push-branch-updated.json"));
        r = await GitHub(stored);
        r.Status.ShouldBe(HttpStatusCode.Accepted);
        r.Body.ShouldContain("ignored: no pipeline for repository");
        await Task.Delay(300);
        Store.History("web-app").ShouldBeEmpty();
    }

    [Fact]
    public async Task Bad_input_answers()
    {
        var bad = "{\"ref\": "u8.ToArray();
        (await GitHub(bad)).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await GitHub(bad, secret: "nope")).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Post("/hooks/gitea", "{}"u8.ToArray())).Status.ShouldBe(HttpStatusCode.NotFound);
        using (var get = await _http.GetAsync(new Uri(_server.Address, "/healthz"))) get.StatusCode.ShouldBe(HttpStatusCode.OK);
        // 26 MB announced, then streamed chunked: 413 without the server reading (or buffering) it all.
        (await RawPost("Content-Length: 27262976\r\n", chunked: false)).ShouldStartWith("HTTP/1.1 413");
        (await RawPost("Transfer-Encoding: chunked\r\n", chunked: true)).ShouldStartWith("HTTP/1.1 413");
    }

    /// <summary>Sends headers and (up to 26 MB of) body on a raw socket, tolerating the server closing early; returns the response head.</summary>
    private async Task<string> RawPost(string header, bool chunked)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync("127.0.0.1", _server.Address.Port);
        var stream = tcp.GetStream();
        var body = Encoding.ASCII.GetBytes("{\"pad\":\"" + new string('x', 1024 * 1024 - 12) + "\"}");
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /hooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nX-GitHub-Event: push\r\n{header}\r\n"));
        var read = new byte[4096];
        var reading = stream.ReadAsync(read).AsTask();
        try
        {
            for (var i = 0; i < 26 && !reading.IsCompleted; i++)
            {
                if (chunked) await stream.WriteAsync(Encoding.ASCII.GetBytes($"{body.Length:x}\r\n"));
                await stream.WriteAsync(body);
                if (chunked) await stream.WriteAsync("\r\n"u8.ToArray());
            }
        }
        catch (IOException) { }
        var n = await reading.WaitAsync(TimeSpan.FromSeconds(10));
        return Encoding.ASCII.GetString(read, 0, n);
    }

    [Fact]
    public async Task Repo_urls_match_across_forms_and_gitlab_and_bitbucket_authenticate()
    {
        Store.Create(new Pipeline { Name = "gl", Repo = "git@example.com:mike/diaspora.git", CloneUrl = _git.Url, Provider = "gitlab", Branch = "master", Workload = "gl", Secret = "tok" });
        Store.Create(new Pipeline { Name = "bb", Repo = "https://bitbucket.org/team_name/repo_name.git", CloneUrl = _git.Url, Provider = "bitbucket", Branch = "name-of-branch", Workload = "bb", Secret = "bbs" });
        var gl = File.ReadAllBytes(Path.Combine(TestEnv.TestData, "webhooks", "gitlab-push.json"));
        (await Post("/hooks/gitlab", gl, ("X-Gitlab-Event", "Push Hook"), ("X-Gitlab-Token", "wrong"))).Status.ShouldBe(HttpStatusCode.Forbidden);
        var tag = File.ReadAllBytes(Path.Combine(TestEnv.TestData, "webhooks", "gitlab-tag-push.json"));
        (await Post("/hooks/gitlab", tag, ("X-Gitlab-Event", "Tag Push Hook"), ("X-Gitlab-Token", "tok"))).Body.Trim().ShouldBe("ignored: tag push");
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString();
        var r = await Post("/hooks/gitlab", gl, ("X-Gitlab-Event", "Push Hook"), ("webhook-id", "m1"), ("webhook-timestamp", ts),
            ("webhook-signature", Signatures.StandardSignature("tok", "m1", ts, gl)));
        (r.Status, r.Body).ShouldBe((HttpStatusCode.Accepted, "deploying da1560886d4f094c3e6c9ef40349f7d38b5d27d7 to gl\n"));
        var old = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds().ToString();
        (await Post("/hooks/gitlab", gl, ("X-Gitlab-Event", "Push Hook"), ("webhook-id", "m1"), ("webhook-timestamp", old),
            ("webhook-signature", Signatures.StandardSignature("tok", "m1", old, gl)))).Status.ShouldBe(HttpStatusCode.Forbidden);
        var bb = File.ReadAllBytes(Path.Combine(TestEnv.TestData, "webhooks", "bitbucket-push.json"));
        (await Post("/hooks/bitbucket", bb, ("X-Event-Key", "repo:push"), ("X-Hub-Signature-256", Signatures.HubSignature("bbs", bb)))).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Post("/hooks/bitbucket", bb, ("X-Event-Key", "repo:push"), ("X-Hub-Signature", Signatures.HubSignature("bbs", bb)))).Body.ShouldContain("deploying");
        // The local repo has no such branch: git's own reason is the failed entry.
        var gh = await Wait.ForHistory(Store, "gl", 1);
        gh[0].Status.ShouldBe("failed");
        gh[0].Notes.ShouldBe("git fetch failed: fatal: couldn't find remote ref refs/heads/master");
        (await Wait.ForHistory(Store, "bb", 1))[0].Notes.ShouldContain("git fetch failed");
    }

    [Fact]
    public async Task Broken_manifest_and_Voltfile_fail_with_their_reasons()
    {
        var c1 = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: a:1\nenv:\n  A: 1\n B: 2\n" });
        await GitHub(GitHubPush(_git.Url, "main", c1));
        var h = await Wait.ForHistory(Store, "web-app", 1);
        (h[0].Status, h[0].Commit).ShouldBe(("failed", c1));
        h[0].Notes.ShouldContain("volt-manifest.yaml line 4");
        _git.Remove("volt-manifest.yaml");
        var c2 = _git.Push(new Dictionary<string, string> { ["Voltfile"] = "FROM x\n" });
        await GitHub(GitHubPush(_git.Url, "main", c2));
        h = await Wait.ForHistory(Store, "web-app", 2);
        (h[0].Status, h[0].Notes).ShouldBe(("failed", Deployer.ConstellationsMissing));
        _deployer.Deployed.ShouldBeEmpty();
    }

    [Fact]
    public async Task Pushes_during_a_deploy_coalesce_into_one_deploy_of_the_newest_commit()
    {
        // Every deploy is held until the gate opens: each push must be answered while the first deploy still runs
        // (the deploy runs in the background), with no clock involved.
        _deployer.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var commits = Enumerable.Range(0, 5).Select(i => _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = $"image: a:{i}\n" })).ToList();
        (await GitHub(GitHubPush(_git.Url, "main", commits[0]))).Status.ShouldBe(HttpStatusCode.Accepted);
        await Wait.Until(() => Volatile.Read(ref _deployer.Running) == 1, "the first deploy to start");
        foreach (var c in commits.Skip(1))
            (await GitHub(GitHubPush(_git.Url, "main", c))).Status.ShouldBe(HttpStatusCode.Accepted);
        _deployer.Running.ShouldBe(1, "the pushes were answered while the first deploy was still held");
        _deployer.Gate.SetResult();
        var h = await Wait.ForHistory(Store, "web-app", 2);
        await Task.Delay(1500);
        h = Store.History("web-app");
        h.Count.ShouldBe(2);
        h[0].Commit.ShouldBe(commits[^1]);
        h[1].Commit.ShouldBe(commits[0]);
        _deployer.MaxConcurrent.ShouldBe(1);
    }

    [Fact]
    public async Task Clone_failure_records_gits_reason()
    {
        Store.Create(new Pipeline { Name = "gone", Repo = $"git://127.0.0.1:{_git.Port}/missing.git", Provider = "github", Branch = "main", Workload = "g", Secret = Secret });
        (await GitHub(GitHubPush($"git://127.0.0.1:{_git.Port}/missing.git", "main", new string('b', 40)))).Status.ShouldBe(HttpStatusCode.Accepted);
        var h = await Wait.ForHistory(Store, "gone", 1);
        h[0].Status.ShouldBe("failed");
        h[0].Notes.ShouldStartWith("git fetch failed:");
        h[0].Notes.ShouldContain("not exported"); // git daemon's own words: "access denied or repository not exported"
    }
}

/// <summary>Paused and unsigned pipelines, and deleting a pipeline while it deploys.</summary>
public sealed class WebhookLifecycleTests : IAsyncLifetime
{
    private readonly TempDir _dir = new("volt-gitops");
    private readonly RecordingDeployer _deployer = new() { Delay = TimeSpan.FromSeconds(1.5) };
    private GitServer _git = null!;
    private GitOpsServer _server = null!;
    private readonly HttpClient _http = new();

    private PipelineStore Store => new(_dir.Combine("gitops"));

    public async ValueTask InitializeAsync()
    {
        _git = new GitServer();
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

    private async Task<(HttpStatusCode, string)> Push(string commit, string? secret)
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"ref":"refs/heads/main","after":"{{{commit}}}","repository":{"clone_url":"{{{_git.Url}}}"}}""");
        using var req = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.Address, "/hooks/github")) { Content = new ByteArrayContent(body) };
        req.Headers.Add("X-GitHub-Event", "push");
        if (secret is not null) req.Headers.Add("X-Hub-Signature-256", Signatures.HubSignature(secret, body));
        using var resp = await _http.SendAsync(req);
        return (resp.StatusCode, (await resp.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task Unsigned_pipeline_deploys_and_paused_pipeline_ignores_pushes()
    {
        Store.Create(new Pipeline { Name = "open", Repo = _git.Url, Provider = "github", Branch = "main", Workload = "w" });
        var c1 = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: a:1\n" });
        (await Push(c1, null)).Item1.ShouldBe(HttpStatusCode.Accepted);
        (await Wait.ForHistory(Store, "open", 1))[0].Status.ShouldBe("success");
        Store.Save(Store.Get("open") with { Paused = true });
        (await Push(c1, null)).ShouldBe((HttpStatusCode.Accepted, "ignored: pipeline paused (volt gitops resume)"));
        await Task.Delay(300);
        Store.History("open").Count.ShouldBe(1);
    }

    [Fact]
    public async Task Deleting_a_pipeline_mid_deploy_waits_for_it_and_leaves_nothing_behind()
    {
        Store.Create(new Pipeline { Name = "doomed", Repo = _git.Url, Provider = "github", Branch = "main", Workload = "w", Secret = "s" });
        var c1 = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: a:1\n" });
        var c2 = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: a:2\n" });
        (await Push(c1, "s")).Item1.ShouldBe(HttpStatusCode.Accepted);
        (await Push(c2, "s")).Item1.ShouldBe(HttpStatusCode.Accepted); // queued behind the first
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_deployer.Running == 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        _deployer.Running.ShouldBe(1);
        await Task.Run(() => Store.Delete("doomed")); // blocks until the running deploy finishes
        _deployer.Running.ShouldBe(0);
        _deployer.Deployed.Count.ShouldBe(1);
        await Task.Delay(500); // the queued deploy finds the pipeline gone
        _deployer.Deployed.Count.ShouldBe(1);
        Directory.Exists(Store.Dir("doomed")).ShouldBeFalse();
    }
}
