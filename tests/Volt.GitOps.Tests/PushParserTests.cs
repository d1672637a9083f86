using Shouldly;
using Volt.GitOps.Webhooks;
using Volt.Testing;
using Xunit;

namespace Volt.GitOps.Tests;

public sealed class PushParserTests
{
    private static PushEvent Parse(string provider, string? evt, string file) =>
        PushParser.Parse(provider, evt, File.ReadAllBytes(Path.Combine(TestEnv.TestData, "webhooks", file)));

    [Fact]
    public void GitHub_branch_push_yields_branch_commit_and_repo_urls()
    {
        var e = Parse("github", "push", "github-push-branch-updated.json");
        e.Ignored.ShouldBeNull();
        e.Branch.ShouldBe("master");
        e.Commit.ShouldBe("fd489864e7642b48eaad6e3f155c10e46810ec72");
        e.RepoUrls.ShouldContain("https://github.com/binkkatal/sample_app.git");
        e.RepoUrls.ShouldContain("git@github.com:binkkatal/sample_app.git");
    }

    [Fact]
    public void GitHub_branch_creation_deploys_and_tag_deletion_is_ignored()
    {
        Parse("github", "push", "github-push-branch-created.json").Ignored.ShouldBeNull();
        Parse("github", "push", "github-push-tag-deleted.json").Ignored.ShouldBe("tag push");
        Parse("github", "ping", "github-ping.json").Ping.ShouldBeTrue();
    }

    [Fact]
    public void GitLab_push_and_tag_push()
    {
        var e = Parse("gitlab", "Push Hook", "gitlab-push.json");
        e.Branch.ShouldBe("master");
        e.Commit.ShouldBe("da1560886d4f094c3e6c9ef40349f7d38b5d27d7");
        e.RepoUrls.ShouldContain("git@example.com:mike/diaspora.git");
        Parse("gitlab", "Tag Push Hook", "gitlab-tag-push.json").Ignored.ShouldBe("tag push");
    }

    [Fact]
    public void Bitbucket_push_without_usernames()
    {
        var e = Parse("bitbucket", "repo:push", "bitbucket-push.json");
        e.Ignored.ShouldBeNull();
        e.Branch.ShouldBe("name-of-branch");
        e.Commit.ShouldBe("709d658dc5b6d6afcd46049c2f332ee3f515a67d");
        e.RepoUrls.ShouldContain("https://bitbucket.org/team_name/repo_name");
    }

    [Fact]
    public void Branch_deletion_is_ignored()
    {
        var body = """{"ref":"refs/heads/main","before":"fd489864e7642b48eaad6e3f155c10e46810ec72","after":"0000000000000000000000000000000000000000","repository":{"clone_url":"https://github.com/o/r.git"}}"""u8;
        PushParser.Parse("github", "push", body).Ignored.ShouldBe("branch deletion");
    }

    [Fact]
    public void Malformed_json_throws()
    {
        Should.Throw<System.Text.Json.JsonException>(() => PushParser.Parse("github", "push", "{\"ref\":"u8));
        Should.Throw<System.Text.Json.JsonException>(() => PushParser.Parse("github", "push", "[1,2]"u8));
    }

    [Theory]
    [InlineData("https://github.com/MyOrg/MyApp", "git@github.com:myorg/myapp.git")]
    [InlineData("https://github.com/myorg/myapp.git", "ssh://git@github.com:22/myorg/myapp")]
    [InlineData("git://github.com/myorg/myapp.git", "https://github.com/myorg/myapp/")]
    [InlineData("http://example.com/mike/diaspora.git", "git@example.com:mike/diaspora.git")]
    public void Repo_urls_match_across_forms(string a, string b) => RepoUrl.Same(a, b).ShouldBeTrue();

    [Theory]
    [InlineData("https://github.com/myorg/myapp", "https://github.com/myorg/myapp2")]
    [InlineData("https://github.com/myorg/myapp", "https://gitlab.com/myorg/myapp")]
    public void Different_repos_do_not_match(string a, string b) => RepoUrl.Same(a, b).ShouldBeFalse();
}
