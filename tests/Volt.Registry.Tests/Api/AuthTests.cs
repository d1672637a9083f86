using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Shouldly;
using Volt.Registry.Auth;
using Volt.Registry.Hosting;
using Xunit;

namespace Volt.Registry.Tests.Api;

public sealed class AuthTests : RegistryTestBase
{
    [Fact]
    public async Task Base_WithoutCredentials_Returns401WithBearerChallenge()
    {
        var r = await Anonymous.GetAsync("/v2/", Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        r.Headers.WwwAuthenticate.Single().ToString().ShouldBe($"Bearer realm=\"{Server.Address}token\",service=\"volt-registry\"");
        (await Http.GetAsync("/v2/", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Push_WithoutToken_Returns401WithPushScopeChallenge()
    {
        var r = await Anonymous.PostAsync("/v2/app/blobs/uploads/", null, Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await OciClient.ErrorCode(r)).ShouldBe("UNAUTHORIZED");
        r.Headers.WwwAuthenticate.Single().Parameter!.ShouldContain("scope=\"repository:app:pull,push\"");
    }

    [Fact]
    public async Task TokenEndpoint_WithBasicAuthPushToken_IssuesABearerTokenThatCanPush()
    {
        var req = new HttpRequestMessage(HttpMethod.Get, "/token?service=volt-registry&scope=repository:app:pull,push");
        req.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"anyone:{PushToken()}")));
        var r = await Anonymous.SendAsync(req, Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync(Ct));
        var token = doc.RootElement.GetProperty("token").GetString()!;
        doc.RootElement.GetProperty("access_token").GetString().ShouldBe(token);
        doc.RootElement.GetProperty("expires_in").GetInt64().ShouldBeGreaterThan(60);
        doc.RootElement.GetProperty("issued_at").GetString().ShouldNotBeNullOrEmpty();
        await new OciClient(Client(token)).PushBlobAsync("app", [1, 2, 3]);
    }

    [Fact]
    public async Task TokenEndpoint_WithoutCredentials_IssuesAnAnonymousPullToken()
    {
        var r = await Anonymous.GetAsync("/token?service=volt-registry&scope=repository:app:pull", Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync(Ct));
        var anon = Client(doc.RootElement.GetProperty("token").GetString());
        var push = await anon.PostAsync("/v2/app/blobs/uploads/", null, Ct);
        push.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TokenEndpoint_WithAWrongPassword_Returns401()
    {
        var req = new HttpRequestMessage(HttpMethod.Get, "/token");
        req.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("u:not-a-token"u8.ToArray()));
        (await Anonymous.SendAsync(req, Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task PullToken_UsedToPush_Returns403Denied()
    {
        var pull = Client(Tokens.Issue("reader", Access.Pull, TimeSpan.FromHours(1)).Token);
        var r = await pull.PostAsync("/v2/app/blobs/uploads/", null, Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await OciClient.ErrorCode(r)).ShouldBe("DENIED");
        (await pull.DeleteAsync("/v2/app/manifests/v1", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ExpiredToken_Returns401()
    {
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-3));
        var expired = new TokenService(TokenService.KeyPath(Paths), past).Issue("old", Access.Push, TimeSpan.FromHours(1)).Token;
        var r = await Client(expired).PostAsync("/v2/app/blobs/uploads/", null, Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await r.Content.ReadAsStringAsync(Ct)).ShouldContain("token expired");
    }

    [Fact]
    public async Task TamperedToken_Returns401()
    {
        var pull = Tokens.Issue("reader", Access.Pull, TimeSpan.FromHours(1)).Token;
        var payload = Encoding.UTF8.GetString(Convert.FromBase64String(Pad(pull[..pull.IndexOf('.')])));
        var forged = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload.Replace("\"pull\"", "\"push\""))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var r = await Client(forged + pull[pull.IndexOf('.')..]).PostAsync("/v2/app/blobs/uploads/", null, Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await r.Content.ReadAsStringAsync(Ct)).ShouldContain("invalid token signature");
    }

    [Fact]
    public async Task AnonymousPullDisabled_PullWithoutToken_Returns401_WithPullToken_Succeeds()
    {
        await Oci.PushImageAsync("app", "v1");
        await RestartAsync(new RegistryOptions { Paths = Paths, Port = 0, AnonymousPull = false });
        (await Anonymous.GetAsync("/v2/app/manifests/v1", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Anonymous.GetAsync("/token?scope=repository:app:pull", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var pull = Client(Tokens.Issue("reader", Access.Pull, TimeSpan.FromHours(1)).Token);
        (await pull.GetAsync("/v2/app/manifests/v1", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public void TokenKey_IsCreatedWithMode0600()
    {
        File.GetUnixFileMode(TokenService.KeyPath(Paths)).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private static string Pad(string b64url)
    {
        var s = b64url.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
    }
}
