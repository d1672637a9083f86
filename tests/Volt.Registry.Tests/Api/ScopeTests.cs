using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Shouldly;
using Volt.Registry.Auth;
using Volt.Registry.Hosting;
using Volt.Registry.Http;
using Xunit;

namespace Volt.Registry.Tests.Api;

/// <summary>Tokens limited to some repositories (<c>--scope</c>), on every endpoint and through the token flow.</summary>
public sealed class ScopeTests : RegistryTestBase
{
    private HttpClient Scoped(string access, params string[] repos) => Client(Tokens.Issue("scoped", access, TimeSpan.FromHours(1), repos).Token);

    [Fact]
    public async Task ScopedPushToken_PushesToItsRepositories_AndIsDeniedElsewhere()
    {
        var oci = new OciClient(Scoped(Access.Push, "team/*", "app"));
        await oci.PushImageAsync("team/web", "v1");
        await oci.PushImageAsync("team/web/sub", "v1");
        await oci.PushImageAsync("app", "v1");
        var scoped = Scoped(Access.Push, "team/*", "app");
        foreach (var repo in new[] { "other", "team", "teamx/a", "app2" })
        {
            var r = await scoped.PostAsync($"/v2/{repo}/blobs/uploads/", null, Ct);
            r.StatusCode.ShouldBe(HttpStatusCode.Forbidden, repo);
            (await OciClient.ErrorCode(r)).ShouldBe("DENIED");
        }
        Directory.Exists(Server.Store.Uploads.Root).ShouldBeTrue();
        Directory.EnumerateDirectories(Server.Store.Uploads.Root).ShouldBeEmpty();
    }

    [Fact]
    public async Task ScopedPullToken_EveryEndpointOfAnotherRepository_IsDenied()
    {
        var img = await Oci.PushImageAsync("secret", "v1");
        await RestartAsync(new RegistryOptions { Paths = Paths, Port = 0, AnonymousPull = false });
        var scoped = Scoped(Access.Pull, "public");
        foreach (var path in new[] { "/v2/secret/manifests/v1", $"/v2/secret/blobs/{img.LayerDigest}", "/v2/secret/tags/list", $"/v2/secret/referrers/{img.ManifestDigest}" })
            (await scoped.GetAsync(path, Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden, path);
        var full = Client(Tokens.Issue("all", Access.Pull, TimeSpan.FromHours(1)).Token);
        (await full.GetAsync("/v2/secret/manifests/v1", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Catalog_WithAScopedToken_ListsOnlyItsRepositories()
    {
        await Oci.PushImageAsync("team/a", "v1");
        await Oci.PushImageAsync("team/b", "v1");
        await Oci.PushImageAsync("other", "v1");
        var body = await Scoped(Access.Pull, "team/*").GetStringAsync("/v2/_catalog", Ct);
        using var doc = JsonDocument.Parse(body);
        doc.RootElement.GetProperty("repositories").EnumerateArray().Select(e => e.GetString()).ShouldBe(["team/a", "team/b"]);
        using var all = JsonDocument.Parse(await Http.GetStringAsync("/v2/_catalog", Ct));
        all.RootElement.GetProperty("repositories").GetArrayLength().ShouldBe(3);
    }

    [Fact]
    public async Task Mount_FromARepositoryTheTokenCannotPull_StartsAnUploadInstead()
    {
        var img = await Oci.PushImageAsync("secret", "v1");
        await RestartAsync(new RegistryOptions { Paths = Paths, Port = 0, AnonymousPull = false });
        var scoped = Scoped(Access.Push, "mine");
        var fromSecret = await scoped.PostAsync($"/v2/mine/blobs/uploads/?mount={img.LayerDigest}&from=secret", null, Ct);
        fromSecret.StatusCode.ShouldBe(HttpStatusCode.Accepted, "no pull on 'secret': an ordinary upload session");
        var noFrom = await scoped.PostAsync($"/v2/mine/blobs/uploads/?mount={img.LayerDigest}", null, Ct);
        noFrom.StatusCode.ShouldBe(HttpStatusCode.Accepted, "a mount by digest alone needs a token for every repository");
        (await scoped.GetAsync($"/v2/mine/blobs/{img.LayerDigest}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var both = Scoped(Access.Push, "mine", "secret");
        (await both.PostAsync($"/v2/mine/blobs/uploads/?mount={img.LayerDigest}&from=secret", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task TokenFlow_NarrowsToTheRequestedScope_AndNeverWidens()
    {
        var presented = Tokens.Issue("ci", Access.Push, TimeSpan.FromHours(1), ["team/*"]).Token;
        async Task<AccessToken> Exchange(string query)
        {
            var req = new HttpRequestMessage(HttpMethod.Get, "/token?service=volt-registry" + query);
            req.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"ci:{presented}")));
            var r = await Anonymous.SendAsync(req, Ct);
            r.StatusCode.ShouldBe(HttpStatusCode.OK);
            using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync(Ct));
            return Tokens.Validate(doc.RootElement.GetProperty("token").GetString()!, out _)!;
        }
        var pushA = await Exchange("&scope=repository:team/a:pull,push");
        pushA.Access.ShouldBe(Access.Push);
        pushA.Repositories.ShouldBe(["team/a"]);
        var pullA = await Exchange("&scope=repository:team/a:pull");
        pullA.Access.ShouldBe(Access.Pull);
        var outside = await Exchange("&scope=repository:other:pull,push&scope=repository:team/b:pull");
        outside.Repositories.ShouldBe(["team/b"]);
        outside.Access.ShouldBe(Access.Pull);
        var none = await Exchange("&scope=repository:other:pull,push");
        none.Repositories.ShouldBeEmpty();
        var login = await Exchange("");
        login.Repositories.ShouldBe(["team/*"]);
        login.Access.ShouldBe(Access.Push);

    }

    [Fact]
    public void Narrow_IsAlwaysWithinThePresentedGrant()
    {
        var pull = TokenEndpoint.Narrow(Access.Pull, null, ["repository:a:pull,push"]);
        pull.Access.ShouldBe(Access.Pull, "pull never becomes push");
        pull.Repositories.ShouldBe(["a"]);
        TokenEndpoint.Narrow(Access.Push, ["a"], ["repository:b:push"]).Repositories.ShouldBeEmpty();
        TokenEndpoint.Narrow(Access.Push, null, ["registry:catalog:*"]).Repositories.ShouldBeNull();
        TokenEndpoint.Narrow(Access.Push, ["a"], ["repository:a:pull repository:a:push"]).Access.ShouldBe(Access.Push);
    }

    [Theory]
    [InlineData("team/*", "team/a", true)]
    [InlineData("team/*", "team/a/b", true)]
    [InlineData("team/*", "team", false)]
    [InlineData("team/*", "teamx/a", false)]
    [InlineData("app", "app", true)]
    [InlineData("app", "app/x", false)]
    public void RepositoryScope_Matches(string pattern, string repo, bool expected) =>
        RepositoryScope.Matches(pattern, repo).ShouldBe(expected);
}
