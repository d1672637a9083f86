using System.Text.Json.Nodes;
using Shouldly;
using Volt.GitOps.Pipelines;
using Volt.Testing;
using Xunit;

namespace Volt.GitOps.Tests;

/// <summary>CLI-level checks through the real binary (no containers): exit codes, install-service, pause/resume.</summary>
public sealed class ServiceAndRollbackTests : IDisposable
{
    private readonly TempDir _dir = new("volt-gitops-cli");

    private (int Code, string Out, string Err) Volt(params string[] args) => VoltBinary.Run(_dir.Path, args);

    [Fact]
    public void Create_validates_and_status_warns_about_missing_secrets()
    {
        Volt("gitops", "create", "--name", "web-app", "--repo", "https://github.com/myorg/myapp", "--provider", "github", "--branch", "main", "--workload", "web", "--secret", "s").Code.ShouldBe(0);
        Volt("gitops", "create", "--name", "web-app", "--repo", "https://github.com/myorg/myapp", "--provider", "github", "--workload", "web", "--secret", "s").Code.ShouldBe(4);
        Volt("gitops", "create", "--name", "l", "--repo", "https://github.com/myorg/myapp", "--provider", "svn", "--workload", "l").Code.ShouldBe(2);
        Volt("gitops", "create", "--name", "l", "--repo", "svn://svn.example.com/trunk", "--provider", "svn", "--workload", "l", "--poll-interval", "0").Code.ShouldBe(2);
        Volt("gitops", "create", "--name", "l", "--repo", "svn://svn.example.com/trunk", "--provider", "cvs", "--workload", "l").Code.ShouldBe(2);
        Volt("gitops", "create", "--name", "api", "--repo", "https://gitlab.com/myorg/api", "--provider", "gitlab", "--branch", "develop", "--workload", "api-svc").Code.ShouldBe(2);
        Volt("gitops", "create", "--name", "api", "--repo", "https://gitlab.com/myorg/api", "--provider", "gitlab", "--branch", "develop", "--workload", "api-svc", "--insecure-no-secret").Code.ShouldBe(0);
        var status = Volt("gitops", "status");
        status.Code.ShouldBe(0);
        status.Out.Split('\n')[0].ShouldStartWith("Server: not running");
        status.Out.Split('\n')[2].ShouldBe("NAME     REPO                            BRANCH   PROVIDER  LAST DEPLOY  STATUS");
        status.Err.ShouldContain("pipeline api has no secret (--insecure-no-secret)");
        status.Err.ShouldNotContain("pipeline web-app has no");
        var list = JsonNode.Parse(Volt("gitops", "list", "-o", "json").Out)!.AsArray();
        list.Select(n => (string?)n!["name"]).ShouldBe(["api", "web-app"]);
        list.ToJsonString().ShouldNotContain("\"s\""); // the secret itself is never printed
        Volt("gitops", "logs", "--name", "missing").Code.ShouldBe(3);
        Volt("gitops", "delete", "--name", "api").Code.ShouldBe(0);
        Volt("gitops", "delete", "--name", "api").Code.ShouldBe(3);
    }

    [Fact]
    public void Logs_render_the_seed_columns_and_json()
    {
        Volt("gitops", "create", "--name", "web-app", "--repo", "https://github.com/myorg/myapp", "--provider", "github", "--workload", "web", "--secret", "s").Code.ShouldBe(0);
        var store = new PipelineStore(Path.Combine(_dir.Path, "var/lib/volt/gitops"));
        store.Append("web-app", new HistoryEntry { Timestamp = DateTimeOffset.UtcNow.AddMinutes(-2), Commit = "abc1234def5678abc1234def5678abc1234def56", Branch = "main", Status = "success", DurationMs = 12_000, Trigger = "webhook (github)", Notes = "webhook (github)" });
        store.Append("web-app", new HistoryEntry { Timestamp = DateTimeOffset.UtcNow, Commit = "789abcd0000000000000000000000000000000000"[..40], Branch = "main", Status = "failed", DurationMs = 3_000, Trigger = "manual sync", Notes = "Constellations are not implemented yet" });
        var logs = Volt("gitops", "logs", "--name", "web-app", "--limit", "5");
        var lines = logs.Out.TrimEnd().Split('\n');
        lines[0].ShouldStartWith("TIMESTAMP            COMMIT   BRANCH  STATUS   DURATION  NOTES");
        lines[1].ShouldContain("789abcd  main    failed   3s        Constellations are not implemented yet");
        lines[2].ShouldContain("abc1234  main    success  12s       webhook (github)");
        JsonNode.Parse(Volt("gitops", "logs", "--name", "web-app", "--limit", "1", "-o", "json").Out)!.AsArray().Count.ShouldBe(1);
        Volt("gitops", "status").Out.ShouldMatch(@"web-app .* \d+s ago +failed");
    }

    [Fact]
    public void Install_service_writes_a_unit_systemd_analyze_accepts()
    {
        var r = Volt("gitops", "install-service", "--port", "9191");
        r.Code.ShouldBe(0, r.Err);
        var unit = Path.Combine(_dir.Path, "var/lib/volt/units", "volt-gitops.service");
        var text = File.ReadAllText(unit);
        text.ShouldContain("gitops serve --port 9191");
        TestEnv.RequireTool("systemd-analyze");
        var verify = TestEnv.Run("systemd-analyze", "verify", unit);
        (verify.Code, verify.Err.Trim()).ShouldBe((0, ""));
    }

    [Fact]
    public void Rollback_pauses_and_resume_unpauses()
    {
        Volt("gitops", "create", "--name", "web-app", "--repo", "git://127.0.0.1:1/none.git", "--provider", "github", "--workload", "web", "--secret", "s").Code.ShouldBe(0);
        Volt("gitops", "rollback", "--name", "web-app").Code.ShouldBe(3); // nothing good to roll back to
        var store = new PipelineStore(Path.Combine(_dir.Path, "var/lib/volt/gitops"));
        var r = Volt("gitops", "rollback", "--name", "web-app", "--to", "abc1234");
        r.Code.ShouldBe(1); // the repo is unreachable: a failed entry, still paused
        store.Get("web-app").Paused.ShouldBeTrue();
        store.History("web-app")[0].Trigger.ShouldBe("rollback");
        Volt("gitops", "status").Err.ShouldContain("paused");
        Volt("gitops", "resume", "--name", "web-app").Code.ShouldBe(0);
        store.Get("web-app").Paused.ShouldBeFalse();
    }

    [Fact]
    public void Sync_deploys_the_branch_head_and_records_manual_sync()
    {
        using var git = new GitServer();
        // A Voltfile is a Constellation (YAML): this one is not, so the deploy fails with the file's place, exit 12.
        var head = git.Push(new Dictionary<string, string> { ["Voltfile"] = "FROM busybox\n" });
        Volt("gitops", "create", "--name", "c", "--repo", git.Url, "--provider", "github", "--workload", "c", "--secret", "s").Code.ShouldBe(0);
        var r = Volt("gitops", "sync", "--name", "c");
        r.Code.ShouldBe(12, r.Err);
        r.Err.ShouldContain("Voltfile");
        var json = JsonNode.Parse(Volt("gitops", "logs", "--name", "c", "-o", "json").Out)!.AsArray();
        ((string?)json[0]!["commit"], (string?)json[0]!["trigger"], (string?)json[0]!["status"]).ShouldBe((head, "manual sync", "failed"));
        ((string?)json[0]!["notes"]).ShouldNotBeNull().ShouldContain("Voltfile");
        Volt("gitops", "sync", "--name", "nope").Code.ShouldBe(3);
    }

    public void Dispose() => _dir.Dispose();
}
