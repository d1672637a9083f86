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

/// <summary>Redeliveries, stale pushes, multi-branch Bitbucket pushes and bodies that are not valid text.</summary>
public sealed class DeliveryTests : IAsyncLifetime
{
    private const string Secret = "s3cret";
    private readonly TempDir _dir = new("volt-gitops-dlv");
    private readonly RecordingDeployer _deployer = new();
    private GitServer _git = null!;
    private GitOpsServer _server = null!;
    private readonly HttpClient _http = new();

    private PipelineStore Store => new(_dir.Combine("gitops"));

    public async ValueTask InitializeAsync()
    {
        _git = new GitServer();
        Store.Create(new Pipeline { Name = "web", Repo = _git.Url, Provider = "github", Branch = "main", Workload = "w", Secret = Secret });
        Store.Create(new Pipeline { Name = "gl", Repo = _git.Url, Provider = "gitlab", Branch = "main", Workload = "w", Secret = Secret });
        Store.Create(new Pipeline { Name = "bb", Repo = "https://bitbucket.org/o/r", CloneUrl = _git.Url, Provider = "bitbucket", Branch = "main", Workload = "w", Secret = Secret });
        try { _server = await Start(); }
        catch { _git.Dispose(); throw; }
    }

    private Task<GitOpsServer> Start() => GitOpsServer.StartAsync(new GitOpsServerOptions
    {
        Store = Store, Sources = new SourceControl(new ProcessRunner()), Workloads = _deployer, Listen = "127.0.0.1", Port = 0,
        StateFile = _dir.Combine("run", "gitops-serve.json"),
    });

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _git.Dispose();
        _dir.Dispose();
        _http.Dispose();
    }

    private static byte[] GitHubBody(string repo, string after) =>
        Encoding.UTF8.GetBytes($$$"""{"ref":"refs/heads/main","after":"{{{after}}}","repository":{"clone_url":"{{{repo}}}"}}""");

    private async Task<(HttpStatusCode Status, string Body)> Post(string provider, byte[] body, params (string, string)[] headers)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.Address, "/hooks/" + provider)) { Content = new ByteArrayContent(body) };
        foreach (var (k, v) in headers) req.Headers.TryAddWithoutValidation(k, v);
        using var resp = await _http.SendAsync(req);
        return (resp.StatusCode, (await resp.Content.ReadAsStringAsync()).Trim());
    }

    private Task<(HttpStatusCode Status, string Body)> GitHub(byte[] body, string? delivery = null) => delivery is null
        ? Post("github", body, ("X-GitHub-Event", "push"), ("X-Hub-Signature-256", Signatures.HubSignature(Secret, body)))
        : Post("github", body, ("X-GitHub-Event", "push"), ("X-Hub-Signature-256", Signatures.HubSignature(Secret, body)), ("X-GitHub-Delivery", delivery));

    [Fact]
    public async Task The_same_delivery_twice_deploys_once_even_after_a_restart()
    {
        var c1 = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: a:1\n" });
        var body = GitHubBody(_git.Url, c1);
        (await GitHub(body, "d-1")).Status.ShouldBe(HttpStatusCode.Accepted);
        (await GitHub(body, "d-1")).ShouldBe((HttpStatusCode.OK, "duplicate delivery"));
        await Wait.ForHistory(Store, "web", 1);
        await _server.DisposeAsync();
        _server = await Start();
        (await GitHub(body, "d-1")).ShouldBe((HttpStatusCode.OK, "duplicate delivery"));
        // GitLab's webhook-id and X-Gitlab-Event-UUID, Bitbucket's X-Request-UUID.
        var gl = Encoding.UTF8.GetBytes($$$"""{"object_kind":"push","ref":"refs/heads/main","after":"{{{c1}}}","project":{"git_http_url":"{{{_git.Url}}}"}}""");
        (await Post("gitlab", gl, ("X-Gitlab-Event", "Push Hook"), ("X-Gitlab-Token", Secret), ("X-Gitlab-Event-UUID", "u-1"))).Status.ShouldBe(HttpStatusCode.Accepted);
        (await Post("gitlab", gl, ("X-Gitlab-Event", "Push Hook"), ("X-Gitlab-Token", Secret), ("X-Gitlab-Event-UUID", "u-1"))).Body.ShouldBe("duplicate delivery");
        var bb = Encoding.UTF8.GetBytes(BitbucketBody.Json(("main", c1)));
        (await Post("bitbucket", bb, ("X-Event-Key", "repo:push"), ("X-Hub-Signature", Signatures.HubSignature(Secret, bb)), ("X-Request-UUID", "r-1"))).Status.ShouldBe(HttpStatusCode.Accepted);
        (await Post("bitbucket", bb, ("X-Event-Key", "repo:push"), ("X-Hub-Signature", Signatures.HubSignature(Secret, bb)), ("X-Request-UUID", "r-1"))).Body.ShouldBe("duplicate delivery");
        await Wait.ForHistory(Store, "gl", 1);
        await Wait.ForHistory(Store, "bb", 1);
        await _server.Queue.DrainAsync(TimeSpan.FromSeconds(10));
        Store.History("web").Count.ShouldBe(1);
        Store.History("gl").Count.ShouldBe(1);
        Store.History("bb").Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_forged_delivery_id_cannot_block_the_real_one()
    {
        var c1 = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: a:1\n" });
        var body = GitHubBody(_git.Url, c1);
        (await Post("github", body, ("X-GitHub-Event", "push"), ("X-Hub-Signature-256", "sha256=00"), ("X-GitHub-Delivery", "d-2"))).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await GitHub(body, "d-2")).Status.ShouldBe(HttpStatusCode.Accepted);
        (await GitHub(body, new string('x', 129))).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await Wait.ForHistory(Store, "web", 1))[0].Status.ShouldBe("success");
    }

    [Fact]
    public async Task A_stale_push_is_recorded_and_not_deployed_but_sync_style_requests_still_deploy()
    {
        var c1 = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: a:1\n" });
        var c2 = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: a:2\n" });
        (await GitHub(GitHubBody(_git.Url, c2), "n-2")).Status.ShouldBe(HttpStatusCode.Accepted);
        (await Wait.ForHistory(Store, "web", 1))[0].Commit.ShouldBe(c2);
        // An old push redelivered later (new delivery id): c1 is an ancestor of the deployed c2.
        (await GitHub(GitHubBody(_git.Url, c1), "n-1")).Status.ShouldBe(HttpStatusCode.Accepted);
        var h = await Wait.ForHistory(Store, "web", 2);
        (h[0].Status, h[0].Commit).ShouldBe(("stale", c1));
        h[0].Notes.ShouldContain("ancestor");
        Store.Deployed("web").ShouldBe(c2);
        _deployer.Deployed.Count.ShouldBe(1);
        // The same commit again is stale too ("already deployed"); a deploy on purpose (rollback) is not judged.
        (await GitHub(GitHubBody(_git.Url, c2), "n-3")).Status.ShouldBe(HttpStatusCode.Accepted);
        (await Wait.ForHistory(Store, "web", 3))[0].Notes.ShouldBe("stale: already deployed");
        var deployer = new Volt.GitOps.Deploy.Deployer(Store, new SourceControl(new ProcessRunner()), _deployer, TimeProvider.System);
        var rb = await deployer.RunAsync("web", new Volt.GitOps.Deploy.DeployRequest(c1, "rollback"), CancellationToken.None);
        (rb!.Status, rb.Commit).ShouldBe(("success", c1));
        _deployer.Deployed.Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_bitbucket_push_of_several_branches_deploys_the_tracked_one_wherever_it_is_listed()
    {
        var main = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: a:main\n" });
        var feature = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: a:feature\n" }, "feature");
        var bb = Encoding.UTF8.GetBytes(BitbucketBody.Json(("main", main), ("feature", feature)));
        var r = await Post("bitbucket", bb, ("X-Event-Key", "repo:push"), ("X-Hub-Signature", Signatures.HubSignature(Secret, bb)));
        (r.Status, r.Body).ShouldBe((HttpStatusCode.Accepted, $"deploying {main} to bb"));
        var h = await Wait.ForHistory(Store, "bb", 1);
        (h[0].Status, h[0].Commit).ShouldBe(("success", main), h[0].Notes);
        _deployer.Deployed.Single().Manifest.Image.ShouldBe("a:main");
    }

    [Theory]
    [InlineData(new byte[] { 0xff })]
    [InlineData(new byte[] { 0xc3 })]
    [InlineData(new byte[] { 0xed, 0xa0, 0x80 })]
    public async Task Invalid_utf8_in_a_signed_body_is_400_with_the_reason(byte[] bad)
    {
        var body = Encoding.UTF8.GetBytes("{\"ref\":\"refs/heads/ma").Concat(bad).Concat(Encoding.UTF8.GetBytes("in\",\"after\":\"" + new string('a', 40) + "\"}")).ToArray();
        var r = await GitHub(body);
        r.Status.ShouldBe(HttpStatusCode.BadRequest);
        r.Body.ShouldNotBeEmpty();
        r.Body.ShouldContain("UTF-8", Case.Insensitive);
    }

    [Theory]
    [InlineData("{\"ref\":\"refs/heads/\\ud800\",\"after\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", "surrogate")]
    [InlineData("{\"ref\":\"refs/heads/main\",\"after\":\"\\udfff\"}", "surrogate")]
    [InlineData("{\"ref\":42,\"after\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", "must be a string")]
    [InlineData("{\"ref\":\"refs/heads/main\",\"after\":[1]}", "must be a string")]
    public async Task Lone_surrogates_and_wrong_types_are_400_with_the_reason(string json, string reason)
    {
        var r = await GitHub(Encoding.UTF8.GetBytes(json));
        r.Status.ShouldBe(HttpStatusCode.BadRequest);
        r.Body.ShouldContain(reason);
    }

    [Fact]
    public async Task The_server_publishes_its_state_while_it_runs_and_removes_it_on_stop()
    {
        var file = _dir.Combine("run", "gitops-serve.json");
        using (var get = await _http.GetAsync(new Uri(_server.Address, "/healthz"))) get.StatusCode.ShouldBe(HttpStatusCode.OK);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        ServerState? state = null;
        while (DateTime.UtcNow < deadline && (state = ServerState.Running(file)) is not { Requests: >= 1 }) await Task.Delay(50);
        state.ShouldNotBeNull();
        (state.Pid, state.Address, state.Requests).ShouldBe((Environment.ProcessId, _server.Address.ToString().TrimEnd('/'), 1L));
        await _server.StopAsync();
        File.Exists(file).ShouldBeFalse();
        // A file left by a server that died (its pid gone) is not a running server.
        ServerState.Write(file, state with { Pid = int.MaxValue - 1 });
        ServerState.Running(file).ShouldBeNull();
        _server = await Start();
    }
}

/// <summary>A Bitbucket repo:push body for repository o/r moving each (branch, hash).</summary>
internal static class BitbucketBody
{
    public static string Json(params (string Branch, string Hash)[] changes) =>
        "{\"repository\":{\"full_name\":\"o/r\"},\"push\":{\"changes\":[" +
        string.Join(",", changes.Select(c => "{\"new\":{\"type\":\"branch\",\"name\":" + System.Text.Json.JsonSerializer.Serialize(c.Branch, Volt.GitOps.Tests.TestJson.Default.String) + ",\"target\":{\"hash\":" + System.Text.Json.JsonSerializer.Serialize(c.Hash, Volt.GitOps.Tests.TestJson.Default.String) + "}}}")) + "]}}";
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class TestJson : System.Text.Json.Serialization.JsonSerializerContext;
